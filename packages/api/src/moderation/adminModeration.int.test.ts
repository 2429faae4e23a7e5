// The admin console's moderation (admin.reports/bans/appeals) against the real PostgreSQL and Redis of the test run,
// called as the web app calls them, with the reports filed through moderation.report as a person in random chat
// files them. Random chat's matches are played by a Map of MatchRecords (as in moderation.int.test.ts).
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import type { MatchRecord, RandomMatches, RandomPerson } from "../random/contract.ts";
import { adminRouter } from "../router/admin.ts";
import { moderationRouter } from "../router/moderation.ts";
import { createRedis } from "../services/redis.ts";
import type { RealtimeServices } from "../services/realtime.ts";
import { createCallerFactory } from "../trpc.ts";
import { REPORT_QUEUE_CHANNEL } from "./keys.ts";
import { RandomSafetyService } from "./safety.ts";

let db: PrismaClient;
let redis: Redis;
let safety: RandomSafetyService;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "admin-moderation-test");
  safety = new RandomSafetyService({ db, redis });
});

afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

class InTestMatches implements RandomMatches {
  readonly records = new Map<string, MatchRecord>();
  readonly removed: string[] = [];
  match(a: RandomPerson, b: RandomPerson): string {
    const matchId = randomUUID();
    this.records.set(matchId, { matchId, a, b, startedAt: Date.now(), endedAt: null });
    return matchId;
  }
  async findMatch(matchId: string) {
    return this.records.get(matchId) ?? null;
  }
  async avoidPair() {}
  async removePerson(userId: string) {
    this.removed.push(userId);
  }
}

const matches = new InTestMatches();
const personCaller = createCallerFactory(moderationRouter);
const adminCaller = createCallerFactory(adminRouter);
let lastOctet = 0;

interface Someone extends RandomPerson {
  name: string;
  moderation: ReturnType<typeof personCaller>;
  admin: ReturnType<typeof adminCaller>;
}

async function someone(name: string, role: "USER" | "ADMIN" = "USER"): Promise<Someone> {
  const user = await db.user.create({
    data: role === "ADMIN" ? { name, email: `${randomUUID()}@example.test`, role } : { name, isGuest: true },
    select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true },
  });
  lastOctet += 1;
  const ip = `10.13.${Math.floor(lastOctet / 250)}.${(lastOctet % 250) + 1}`;
  const ctx = {
    db,
    redis,
    session: { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + 3_600_000 },
    ip,
    transport: "http" as const,
    realtime: { random: { matches } } as unknown as RealtimeServices,
    socketUser: user,
  };
  return { userId: user.id, deviceId: `device-${randomUUID()}`, ip, name, moderation: personCaller(ctx), admin: adminCaller(ctx) };
}

const person = ({ userId, deviceId, ip }: Someone): RandomPerson => ({ userId, deviceId, ip });

/** `reporter` reports `reported` for a call they just had: the report's id */
async function report(reporter: Someone, reported: Someone, comment = "Rude"): Promise<string> {
  const { reportId } = await reporter.moderation.report({ matchId: matches.match(person(reporter), person(reported)), reason: "harassment", comment });
  return reportId;
}

const auditOf = (action: string, where: Record<string, unknown> = {}) => db.auditLog.findMany({ where: { action, ...where }, orderBy: { id: "asc" } });
const auditCount = () => db.auditLog.count();

describe("the report queue", () => {
  test("lists open reports oldest first with both people's details, pages on the server, and announces a new report live", async () => {
    const [admin, ann, bob] = await Promise.all([someone("Queue admin", "ADMIN"), someone("Ann"), someone("Bob")]);
    const heard: unknown[] = [];
    const listener = createRedis({ url: process.env.REDIS_URL! }, "admin-moderation-listener");
    listener.on("message", (_channel: string, raw: string) => heard.push(JSON.parse(raw)));
    await listener.subscribe(REPORT_QUEUE_CHANNEL);
    let first: string, second: string;
    try {
      first = await report(ann, bob, "first");
      second = await report(bob, ann, "second");
      await expect
        .poll(() => heard)
        .toEqual(
          expect.arrayContaining([
            { type: "filed", reportId: first },
            { type: "filed", reportId: second },
          ]),
        );
    } finally {
      listener.disconnect();
    }
    // every open report of the run, two at a time
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof admin.admin.reports.list>> = await admin.admin.reports.list({ cursor, limit: 2 });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      const mine = page.items.find((item) => item.id === second);
      if (mine) {
        // counted when it was filed: Bob had been reported once (by Ann) and had filed nothing; Ann had no reports against her
        expect(mine).toMatchObject({
          reason: "harassment",
          comment: "second",
          reporter: { name: "Bob", deviceId: bob.deviceId, ip: bob.ip, priorReportsAgainst: 1, priorReportsFiled: 0, bans: { total: 0 } },
          reported: { name: "Ann", deviceId: ann.deviceId, ip: ann.ip, priorReportsAgainst: 0, bans: { total: 0 } },
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.indexOf(first)).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf(first)).toBeLessThan(seen.indexOf(second));

    // filters: a reason nobody used here, and an age our reports do not have yet
    const spam = await admin.admin.reports.list({ reason: "spam", limit: 100 });
    expect(spam.items.map((item) => item.id)).not.toContain(first);
    const old = await admin.admin.reports.list({ minAgeHours: 1, limit: 100 });
    expect(old.items.map((item) => item.id)).not.toContain(first);
  });

  test("a bulk ban of 3 reports bans the 3 reported devices in one action, one audit entry each; the reports leave the queue", async () => {
    const [admin, rita, ...reported] = await Promise.all([someone("Bulk admin", "ADMIN"), someone("Rita"), someone("Sam"), someone("Tom"), someone("Uma")]);
    const reportIds: string[] = [];
    for (const other of reported) reportIds.push(await report(rita, other));

    const { bans } = await admin.admin.reports.ban({ reportIds, target: "device", reason: "Spam links in every call", durationMinutes: 60 * 24 });
    expect(bans.map((ban) => ban.value).sort()).toEqual(reported.map((p) => p.deviceId).sort());
    for (const other of reported) {
      expect(await safety.checkStart(person(other), "start")).toMatchObject({ kind: "banned", ban: { kind: "device", reason: "Spam links in every call" } });
      // out of their call and the queue at once
      expect(matches.removed).toContain(other.userId);
      const entries = await auditOf("moderation.ban", { targetId: other.deviceId });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actorId: admin.userId, ip: admin.ip, targetType: "device", data: expect.objectContaining({ reason: "Spam links in every call" }) });
    }
    const rows = await db.report.findMany({ where: { id: { in: reportIds } } });
    expect(rows.map((row) => row.status)).toEqual(["ACTIONED", "ACTIONED", "ACTIONED"]);
    expect(new Set(rows.map((row) => row.banId)).size).toBe(3);
    const open = await admin.admin.reports.list({ limit: 100 });
    expect(open.items.map((item) => item.id)).not.toContain(reportIds[0]);
    const banned = await admin.admin.reports.list({ status: "banned", limit: 100 });
    expect(banned.items.filter((item) => reportIds.includes(item.id))).toHaveLength(3);
  });

  test("two admins acting on the same report at once: one outcome, the other a clear CONFLICT, one audit entry", async () => {
    const [ada, ben, vic, wes] = await Promise.all([someone("Ada Admin", "ADMIN"), someone("Ben Admin", "ADMIN"), someone("Vic"), someone("Wes")]);
    const reportId = await report(vic, wes);
    const before = await auditCount();

    const results = await Promise.allSettled([
      ada.admin.reports.ban({ reportIds: [reportId], target: "device", reason: "Nudity", durationMinutes: null }),
      ben.admin.reports.dismiss({ reportId, reason: "Looks fine to me" }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = results[0]!.status === "fulfilled" ? "Ada Admin" : "Ben Admin";
    expect(lost[0]!.reason).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(new RegExp(`already (banned|dismissed) by ${winner}`)) });

    expect(await auditCount()).toBe(before + 1);
    const row = await db.report.findUniqueOrThrow({ where: { id: reportId } });
    expect(row.status).toBe(winner === "Ada Admin" ? "ACTIONED" : "DISMISSED");
    expect(await db.ban.count({ where: { value: wes.deviceId } })).toBe(winner === "Ada Admin" ? 1 : 0);

    // and one after the other: the second is told, nothing more is written
    await expect(ben.admin.reports.warn({ reportId, reason: "Late" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await auditCount()).toBe(before + 1);
  });

  test("a bulk ban with one report handled already bans nobody", async () => {
    const [admin, xia, yan, zed] = await Promise.all([someone("All or none admin", "ADMIN"), someone("Xia"), someone("Yan"), someone("Zed")]);
    const handled = await report(xia, yan);
    const fresh = await report(xia, zed);
    await admin.admin.reports.dismiss({ reportId: handled, reason: "Not a violation" });
    const before = await auditCount();
    await expect(admin.admin.reports.ban({ reportIds: [fresh, handled], target: "user", reason: "Spam", durationMinutes: 60 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already dismissed by All or none admin/),
    });
    expect(await auditCount()).toBe(before);
    expect(await db.report.findUniqueOrThrow({ where: { id: fresh } })).toMatchObject({ status: "OPEN", banId: null });
  });

  test("unknown report → NOT_FOUND; a ban without a reason → BAD_REQUEST naming the field; nothing written", async () => {
    const [admin, ash, bea] = await Promise.all([someone("Strict admin", "ADMIN"), someone("Ash"), someone("Bea")]);
    const reportId = await report(ash, bea);
    const before = await auditCount();
    await expect(admin.admin.reports.dismiss({ reportId: randomUUID(), reason: "Gone" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/no report with id/),
    });
    await expect(admin.admin.reports.ban({ reportIds: [reportId, randomUUID()], target: "device", reason: "x", durationMinutes: 5 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.admin.appeals.accept({ appealId: randomUUID(), note: "Fine" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.admin.bans.lift({ banId: randomUUID(), reason: "Fine" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const noReason = admin.admin.reports.ban({ reportIds: [reportId], target: "device", reason: "   ", durationMinutes: 60 });
    // the field and what to do (the HTTP error formatter turns this into "reason: Give a reason." and data.fieldErrors)
    await expect(noReason).rejects.toMatchObject({ code: "BAD_REQUEST", cause: { issues: [expect.objectContaining({ path: ["reason"], message: "Give a reason." })] } });
    await expect(admin.admin.bans.create({ kind: "device", value: bea.deviceId, reason: "", durationMinutes: 60 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.admin.bans.lift({ banId: randomUUID(), reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await auditCount()).toBe(before);
    expect(await db.report.findUniqueOrThrow({ where: { id: reportId } })).toMatchObject({ status: "OPEN" });
  });

  test("a warning: the report is WARNED, the person reads the reason at their next visit once, and acknowledges it", async () => {
    const [admin, cal, dot] = await Promise.all([someone("Warning admin", "ADMIN"), someone("Cal"), someone("Dot")]);
    const reportId = await report(cal, dot);
    await admin.admin.reports.warn({ reportId, reason: "Keep your camera on your face." });
    expect(await auditOf("moderation.warn", { targetId: dot.userId })).toEqual([
      expect.objectContaining({ actorId: admin.userId, ip: admin.ip, data: expect.objectContaining({ reportId, reason: "Keep your camera on your face." }) }),
    ]);
    const { notices } = await dot.moderation.notices({ deviceId: dot.deviceId });
    expect(notices).toEqual([expect.objectContaining({ kind: "warning", text: "Keep your camera on your face." })]);
    // Cal is told nothing
    expect((await cal.moderation.notices({ deviceId: cal.deviceId })).notices).toEqual([]);
    await expect(cal.moderation.acknowledgeNotice({ deviceId: cal.deviceId, noticeId: notices[0]!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await dot.moderation.acknowledgeNotice({ deviceId: dot.deviceId, noticeId: notices[0]!.id });
    await dot.moderation.acknowledgeNotice({ deviceId: dot.deviceId, noticeId: notices[0]!.id });
    expect((await dot.moderation.notices({ deviceId: dot.deviceId })).notices).toEqual([]);
  });
});

describe("bans and appeals", () => {
  test("lifting a ban twice: the second is a clear CONFLICT, one audit entry; the bans list finds and filters it", async () => {
    const [admin, eve] = await Promise.all([someone("Lifting admin", "ADMIN"), someone("Eve")]);
    const { banId } = await admin.admin.bans.create({ kind: "device", value: eve.deviceId, reason: "Hate speech on camera", durationMinutes: 60 });
    const found = await admin.admin.bans.list({ query: eve.deviceId.slice(7, 20).toUpperCase() });
    expect(found.items).toEqual([expect.objectContaining({ id: banId, kind: "device", value: eve.deviceId, active: true, issuedBy: "Lifting admin" })]);

    await admin.admin.bans.lift({ banId, reason: "Issued by mistake" });
    await expect(admin.admin.bans.lift({ banId, reason: "Again" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already lifted by Lifting admin/) });
    // two at once after that: both refused
    const again = await Promise.allSettled([1, 2].map(() => admin.admin.bans.lift({ banId, reason: "Twice" })));
    expect(again.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await auditOf("moderation.liftBan", { targetId: banId })).toEqual([expect.objectContaining({ actorId: admin.userId, data: { reason: "Issued by mistake" } })]);
    expect(await safety.checkStart(person(eve), "start")).toEqual({ kind: "allowed" });

    expect((await admin.admin.bans.list({ query: eve.deviceId })).items).toEqual([]);
    expect((await admin.admin.bans.list({ query: eve.deviceId, status: "lifted" })).items).toEqual([
      expect.objectContaining({ id: banId, liftedBy: "Lifting admin", active: false }),
    ]);
    expect((await admin.admin.bans.list({ query: eve.deviceId, status: "all", kind: "ip" })).items).toEqual([]);
  });

  test("an appeal shows with its ban and report; rejected with a note, the ban stays; accepted, it is lifted and the person told once", async () => {
    const [admin, fox, gil] = await Promise.all([someone("Appeals admin", "ADMIN"), someone("Fox"), someone("Gil")]);
    const reportId = await report(fox, gil, "showed something awful");
    const { bans } = await admin.admin.reports.ban({ reportIds: [reportId], target: "device", reason: "Nudity on camera", durationMinutes: null });
    const banId = bans[0]!.banId;
    const first = await gil.moderation.appeal({ deviceId: gil.deviceId, banId, message: "It was my cousin." });

    const queue = await admin.admin.appeals.list({ limit: 100 });
    expect(queue.items.find((item) => item.id === first.appealId)).toMatchObject({
      message: "It was my cousin.",
      user: { id: gil.userId, name: "Gil" },
      ban: { id: banId, kind: "device", value: gil.deviceId, reason: "Nudity on camera", issuedBy: "Appeals admin" },
      reports: [{ id: reportId, reason: "harassment", comment: "showed something awful", reporter: "Fox" }],
    });

    await admin.admin.appeals.reject({ appealId: first.appealId, note: "The report and the ban stand." });
    expect(await db.appeal.findUniqueOrThrow({ where: { id: first.appealId } })).toMatchObject({
      status: "REJECTED",
      note: "The report and the ban stand.",
      decidedById: admin.userId,
    });
    expect(await auditOf("moderation.rejectAppeal", { targetId: first.appealId })).toHaveLength(1);
    expect(await safety.checkStart(person(gil), "start")).toMatchObject({ kind: "banned" });
    await expect(admin.admin.appeals.accept({ appealId: first.appealId, note: "Changed my mind" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already rejected by Appeals admin/),
    });
    expect((await gil.moderation.notices({ deviceId: gil.deviceId })).notices).toEqual([]);

    const second = await gil.moderation.appeal({ deviceId: gil.deviceId, banId, message: "Here is proof it was my cousin." });
    const [accepted, late] = await Promise.allSettled([
      admin.admin.appeals.accept({ appealId: second.appealId, note: "Proof convincing" }),
      admin.admin.appeals.reject({ appealId: second.appealId, note: "No" }),
    ]);
    const outcomes = [accepted, late].map((r) => r.status).sort();
    expect(outcomes).toEqual(["fulfilled", "rejected"]);
    const appeal = await db.appeal.findUniqueOrThrow({ where: { id: second.appealId } });
    expect(await auditOf(appeal.status === "ACCEPTED" ? "moderation.acceptAppeal" : "moderation.rejectAppeal", { targetId: second.appealId })).toHaveLength(1);
    expect(await auditOf(appeal.status === "ACCEPTED" ? "moderation.rejectAppeal" : "moderation.acceptAppeal", { targetId: second.appealId })).toHaveLength(0);
    if (appeal.status !== "ACCEPTED") return;

    expect(await safety.checkStart(person(gil), "start")).toEqual({ kind: "allowed" });
    expect(await auditOf("moderation.liftBan", { targetId: banId })).toEqual([expect.objectContaining({ data: { reason: "Proof convincing", appealId: second.appealId } })]);
    const { notices } = await gil.moderation.notices({ deviceId: gil.deviceId });
    expect(notices).toEqual([expect.objectContaining({ kind: "appealAccepted", text: expect.stringMatching(/ban is lifted/) })]);
    await gil.moderation.acknowledgeNotice({ deviceId: gil.deviceId, noticeId: notices[0]!.id });
    expect((await gil.moderation.notices({ deviceId: gil.deviceId })).notices).toEqual([]);
  });

  test("none of it for a non-admin or a guest", async () => {
    const [guest, rep] = await Promise.all([someone("Guest"), someone("Rep")]);
    const reportId = await report(rep, guest);
    await expect(guest.admin.reports.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(guest.admin.reports.dismiss({ reportId, reason: "Mine" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db.report.findUniqueOrThrow({ where: { id: reportId } })).toMatchObject({ status: "OPEN" });
  });
});

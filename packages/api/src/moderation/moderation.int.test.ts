// Random-chat moderation against the real PostgreSQL and Redis of the test run: the moderation router's procedures
// (called with the context the realtime server gives them: a session user, the socket's address) and
// RandomSafetyService, as random/ will call it at every Start and Next.
// random/ is being written in parallel, so RandomMatches is played here by `InTestMatches`, a Map of MatchRecords that
// also records avoidPair and removePerson. The end-to-end path (random.start/next on a realtime node asking
// checkStart, Chromium guests reporting each other) is added once random/ is merged.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { solveInNode } from "@qualmeet/challenge/node";
import type { MatchRecord, RandomMatches, RandomPerson } from "../random/contract.ts";
import { blocksChanged } from "../chat/blocks.ts";
import { adminRouter } from "../router/admin.ts";
import { moderationRouter } from "../router/moderation.ts";
import { createRedis } from "../services/redis.ts";
import type { RealtimeServices } from "../services/realtime.ts";
import { createCallerFactory, type SessionUser } from "../trpc.ts";
import { MIRROR_FILLED } from "./keys.ts";
import { DEFAULT_POLICY } from "./policy.ts";
import { RandomSafetyService } from "./safety.ts";

let db: PrismaClient;
let redis: Redis;
let safety: RandomSafetyService;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "moderation-test");
  safety = new RandomSafetyService({ db, redis });
});

afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

/** RandomMatches as random/ will provide it, reduced to a Map: what moderation may learn of matches and do to them. */
class InTestMatches implements RandomMatches {
  readonly records = new Map<string, MatchRecord>();
  readonly avoided: Array<[string, string]> = [];
  readonly removed: string[] = [];

  /** a match between a and b that started now (ended `endedAgoMs` ago, or still running) */
  match(a: RandomPerson, b: RandomPerson, endedAgoMs: number | null = null): string {
    const matchId = randomUUID();
    this.records.set(matchId, { matchId, a, b, startedAt: Date.now(), endedAt: endedAgoMs === null ? null : Date.now() - endedAgoMs });
    return matchId;
  }
  async findMatch(matchId: string) {
    return this.records.get(matchId) ?? null;
  }
  async avoidPair(a: RandomPerson, b: RandomPerson) {
    this.avoided.push([a.userId, b.userId]);
  }
  async removePerson(userId: string) {
    this.removed.push(userId);
  }
}

const matches = new InTestMatches();
const caller = createCallerFactory(moderationRouter);
const adminCaller = createCallerFactory(adminRouter);
let lastOctet = 0;

interface Someone extends RandomPerson {
  user: SessionUser;
  /** the moderation procedures as this person calls them on their socket */
  call: ReturnType<typeof caller>;
  /** the admin console's procedures (admin.*) as this person calls them */
  admin: ReturnType<typeof adminCaller>;
}

/** A guest (or an admin account) in random chat, on their own device and address. */
async function someone(name: string, role: "USER" | "ADMIN" = "USER"): Promise<Someone> {
  const user = await db.user.create({
    data: role === "ADMIN" ? { name, email: `${randomUUID()}@example.test`, role } : { name, isGuest: true },
    select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true },
  });
  lastOctet += 1;
  const ip = `10.12.${Math.floor(lastOctet / 250)}.${(lastOctet % 250) + 1}`;
  const ctx = {
    db,
    redis,
    session: { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + 3_600_000 },
    ip,
    transport: "ws" as const,
    realtime: { random: { matches } } as unknown as RealtimeServices,
    socketUser: user,
  };
  return { userId: user.id, deviceId: `device-${randomUUID()}`, ip, user, call: caller(ctx), admin: adminCaller(ctx) };
}

/** What moderation has stored, to show a refused call changed nothing. */
const rowCounts = async () => ({
  reports: await db.report.count(),
  blocks: await db.randomBlock.count(),
  bans: await db.ban.count(),
  appeals: await db.appeal.count(),
  watch: await db.watchEntry.count(),
  audit: await db.auditLog.count(),
});

const auditOf = (action: string, targetId: string) => db.auditLog.findMany({ where: { action, targetId }, select: { actorId: true, data: true, ip: true } });
const person = ({ userId, deviceId, ip }: Someone): RandomPerson => ({ userId, deviceId, ip });

describe("reports and blocks", () => {
  test("a report is stored with the facts of the match, confirmed, and keeps the two apart both ways", async () => {
    const [ann, bob, cy] = await Promise.all([someone("Ann"), someone("Bob"), someone("Cy")]);
    // Bob was reported once before, by Cy
    await cy.call.report({ matchId: matches.match(person(cy), person(bob), 60_000), reason: "spam" });

    const matchId = matches.match(person(ann), person(bob));
    const answer = await ann.call.report({ matchId, reason: "harassment", comment: "  kept insulting me  " });
    expect(answer.message).toMatch(/will not be matched with this person again/);

    const report = await db.report.findUniqueOrThrow({ where: { id: answer.reportId } });
    expect(report).toMatchObject({
      matchId,
      reporterId: ann.userId,
      reportedUserId: bob.userId,
      reason: "HARASSMENT",
      comment: "kept insulting me",
      reporterDeviceId: ann.deviceId,
      reportedDeviceId: bob.deviceId,
      reporterIp: ann.ip,
      reportedIp: bob.ip,
      reporterPriorReports: 0,
      reportedPriorReports: 1,
      reporterPriorFiled: 0,
      status: "OPEN",
    });
    expect(matches.avoided).toContainEqual([ann.userId, bob.userId]);
    expect(await auditOf("moderation.report", bob.userId)).toContainEqual({
      actorId: ann.userId,
      ip: ann.ip,
      data: expect.objectContaining({ reportId: answer.reportId, matchId }),
    });

    // either way, by user and by device: Bob on another device, Ann signed in as someone else on hers
    expect(await safety.neverMatch(person(ann))).toEqual({ userIds: expect.arrayContaining([bob.userId]), deviceIds: expect.arrayContaining([bob.deviceId]) });
    expect(await safety.neverMatch({ ...person(bob), deviceId: `device-${randomUUID()}` })).toMatchObject({ userIds: expect.arrayContaining([ann.userId, cy.userId]) });
    expect(await safety.neverMatch({ ...person(ann), userId: randomUUID() })).toMatchObject({ deviceIds: [bob.deviceId] });
  });

  test("two accounts blocked with each other (chat, meetings) are never matched either", async () => {
    const [gil, hoa] = await Promise.all([someone("Gil"), someone("Hoa")]);
    expect((await safety.neverMatch(person(gil))).userIds).not.toContain(hoa.userId);
    // as user.block does it: the row, then the cached sets of both
    await db.block.create({ data: { blockerId: hoa.userId, blockedId: gil.userId } });
    await blocksChanged(redis, db, hoa.userId, gil.userId);
    expect((await safety.neverMatch(person(gil))).userIds).toContain(hoa.userId);
  });

  test("a block keeps the two apart at once and from then on; pressing it twice blocks once", async () => {
    const [dee, eve] = await Promise.all([someone("Dee"), someone("Eve")]);
    const matchId = matches.match(person(dee), person(eve));
    expect(await safety.neverMatch(person(eve))).toEqual({ userIds: [], deviceIds: [] });

    expect((await dee.call.block({ matchId })).message).toMatch(/Blocked/);
    await dee.call.block({ matchId });
    expect(matches.avoided).toContainEqual([dee.userId, eve.userId]);
    expect(await db.randomBlock.count({ where: { matchId } })).toBe(1);
    expect(await safety.neverMatch(person(eve))).toEqual({ userIds: [dee.userId], deviceIds: [dee.deviceId] });
    expect(await safety.neverMatch(person(dee))).toEqual({ userIds: [eve.userId], deviceIds: [eve.deviceId] });
  });

  test("reporting someone you were never matched with, a forged match id, a call over a day ago, twice: refused, nothing stored", async () => {
    const [fay, gus, hal] = await Promise.all([someone("Fay"), someone("Gus"), someone("Hal")]);
    const theirs = matches.match(person(gus), person(hal));
    const old = matches.match(person(fay), person(gus), 25 * 60 * 60_000);
    const recent = matches.match(person(fay), person(hal), 60_000);
    await fay.call.report({ matchId: recent, reason: "spam" });
    const avoidedBefore = matches.avoided.length;
    const before = await rowCounts();

    await expect(fay.call.report({ matchId: theirs, reason: "nudity" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/no call with this id/) });
    await expect(fay.call.block({ matchId: theirs })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(fay.call.report({ matchId: randomUUID(), reason: "nudity" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(fay.call.report({ matchId: old, reason: "hate" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/more than a day ago/) });
    await expect(fay.call.report({ matchId: recent, reason: "spam" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already reported/) });
    await expect(fay.call.report({ matchId: recent, reason: "rude" as never })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/Choose a reason/) });
    await expect(fay.call.report({ matchId: recent, reason: "other", comment: "x".repeat(501) })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    expect(await rowCounts()).toEqual(before);
    expect(matches.avoided).toHaveLength(avoidedBefore);
    expect(await safety.neverMatch(person(gus))).toEqual({ userIds: [], deviceIds: [] });
  });
});

describe("bans and appeals", () => {
  test("a banned device gets the notice at Start; an appeal is stored, a second refused; lifted, it starts again", async () => {
    const [admin, ivy] = await Promise.all([someone("Admin", "ADMIN"), someone("Ivy")]);
    expect(await safety.checkStart(person(ivy), "start")).toEqual({ kind: "allowed" });

    const { banId, until } = await admin.admin.bans.create({ kind: "device", value: ivy.deviceId, reason: "Nudity on camera", durationMinutes: 60 * 24 });
    expect(until).toBeGreaterThan(Date.now());
    const notice = { banId, kind: "device", reason: "Nudity on camera", until, appealPending: false };
    expect(await safety.checkStart(person(ivy), "start")).toEqual({ kind: "banned", ban: notice });
    // the device, whoever uses it: another guest on Ivy's browser
    expect(await safety.checkStart({ ...person(ivy), userId: randomUUID() }, "next")).toMatchObject({ kind: "banned" });
    expect(await ivy.call.banStatus({ deviceId: ivy.deviceId })).toEqual({ ban: notice });
    expect(await auditOf("moderation.ban", ivy.deviceId)).toEqual([{ actorId: admin.userId, ip: admin.ip, data: expect.objectContaining({ banId }) }]);

    const appeal = await ivy.call.appeal({ deviceId: ivy.deviceId, banId, message: "That was not me, my brother used my laptop." });
    expect(await db.appeal.findUniqueOrThrow({ where: { id: appeal.appealId } })).toMatchObject({
      banId,
      userId: ivy.userId,
      status: "PENDING",
      message: "That was not me, my brother used my laptop.",
    });
    expect(await safety.checkStart(person(ivy), "start")).toEqual({ kind: "banned", ban: { ...notice, appealPending: true } });

    const before = await rowCounts();
    await expect(ivy.call.appeal({ deviceId: ivy.deviceId, banId, message: "Please?" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already waiting/),
    });
    // two at once: the index lets one through at most (here none: one waits already)
    await Promise.allSettled([1, 2].map(() => ivy.call.appeal({ deviceId: ivy.deviceId, banId, message: "Again" })));
    expect(await rowCounts()).toEqual(before);

    await admin.admin.bans.lift({ banId, reason: "The appeal was convincing" });
    expect(await safety.checkStart(person(ivy), "start")).toEqual({ kind: "allowed" });
    expect(await ivy.call.banStatus({ deviceId: ivy.deviceId })).toEqual({ ban: null });
    expect(await db.ban.findUniqueOrThrow({ where: { id: banId } })).toMatchObject({ liftedById: admin.userId, liftedAt: expect.any(Date) });
    expect(await auditOf("moderation.liftBan", banId)).toHaveLength(1);
    await expect(admin.admin.bans.lift({ banId, reason: "Again" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already lifted by Admin/) });
  });

  test("an appeal without a ban, of someone else's ban, or a ban by a non-admin: refused, nothing stored", async () => {
    const [admin, jo, kim] = await Promise.all([someone("Admin", "ADMIN"), someone("Jo"), someone("Kim")]);
    const { banId } = await admin.admin.bans.create({ kind: "user", value: kim.userId, reason: "Harassment", durationMinutes: null });
    const before = await rowCounts();

    await expect(jo.call.appeal({ deviceId: jo.deviceId, banId: randomUUID(), message: "Why?" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/no active ban/),
    });
    await expect(jo.call.appeal({ deviceId: jo.deviceId, banId, message: "Lift Kim's ban" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(jo.admin.bans.create({ kind: "user", value: kim.userId, reason: "I do not like Kim", durationMinutes: null })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.admin.bans.create({ kind: "user", value: randomUUID(), reason: "Nobody", durationMinutes: null })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.admin.bans.create({ kind: "ip", value: "not an address", reason: "x", durationMinutes: 5 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(jo.call.appeal({ deviceId: jo.deviceId, banId, message: "x".repeat(1001) })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    expect(await rowCounts()).toEqual(before);
    // the user ban, forever, took Kim out of random chat at once, on every device
    expect(matches.removed).toContain(kim.userId);
    expect(await safety.checkStart({ ...person(kim), deviceId: `device-${randomUUID()}` }, "start")).toMatchObject({ kind: "banned", ban: { banId, until: null } });
  });

  test("an admin whose role was taken away cannot ban from the socket they opened as an admin", async () => {
    const [admin, rae] = await Promise.all([someone("Former admin", "ADMIN"), someone("Rae")]);
    await db.user.update({ where: { id: admin.userId }, data: { role: "USER" } });
    const before = await rowCounts();
    await expect(admin.admin.bans.create({ kind: "device", value: rae.deviceId, reason: "Revenge", durationMinutes: null })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts()).toEqual(before);
  });

  test("an address ban covers the client's whole IPv6 /64", async () => {
    const [admin, lu] = await Promise.all([someone("Admin", "ADMIN"), someone("Lu")]);
    await admin.admin.bans.create({ kind: "ip", value: "2001:db8:77:1::5", reason: "Spam bots", durationMinutes: 30 });
    expect(await safety.checkStart({ ...person(lu), ip: "2001:db8:77:1:abcd::9" }, "start")).toMatchObject({ kind: "banned", ban: { kind: "ip", reason: "Spam bots" } });
    expect(await safety.checkStart({ ...person(lu), ip: "2001:db8:77:2::5" }, "start")).toEqual({ kind: "allowed" });
  });

  test("a ban survives losing Redis: the mirror is refilled from PostgreSQL before anyone is let in", async () => {
    const [admin, max, ned] = await Promise.all([someone("Admin", "ADMIN"), someone("Max"), someone("Ned")]);
    const { banId } = await admin.admin.bans.create({ kind: "user", value: max.userId, reason: "Hate speech", durationMinutes: 600 });
    await redis.flushdb();
    expect(await safety.checkStart(person(max), "start")).toMatchObject({ kind: "banned", ban: { banId, reason: "Hate speech" } });
    expect(await safety.checkStart(person(ned), "start")).toEqual({ kind: "allowed" });
  });

  test("a ban whose mirror write was lost takes effect once the mirror is refreshed from PostgreSQL", async () => {
    const una = await someone("Una");
    await safety.checkStart(person(una), "start");
    // recorded while Redis did not take the mirror's write, and the mirror last filled long ago
    await db.ban.create({ data: { kind: "DEVICE", value: una.deviceId, reason: "Spam links", expiresAt: null } });
    await redis.set(MIRROR_FILLED, String(Date.now() - DEFAULT_POLICY.mirrorRefreshMs - 1));
    await expect.poll(async () => (await safety.checkStart(person(una), "start")).kind, { timeout: 15_000 }).toBe("banned");
  });
});

describe("abuse protection", () => {
  test("a rapid Next loop needs the challenge; solving it lets the person continue", async () => {
    const oz = await someone("Oz");
    expect(await oz.call.challenge({ deviceId: oz.deviceId })).toEqual({ challenge: null });
    expect(await safety.checkStart(person(oz), "start")).toEqual({ kind: "allowed" });
    const verdicts = [];
    for (let i = 0; i < 8; i++) verdicts.push((await safety.checkStart(person(oz), "next")).kind);
    expect(verdicts).toEqual([...Array<string>(7).fill("allowed"), "challenge"]);
    expect(await db.watchEntry.findFirst({ where: { kind: "DEVICE", value: oz.deviceId } })).toMatchObject({ held: false, reason: expect.stringMatching(/8 Nexts in a row/) });
    expect(await auditOf("moderation.watch", oz.deviceId)).toHaveLength(1);
    // until solved, every press is asked for it; a made-up solution is no solution
    expect(await safety.checkStart(person(oz), "start", "forged")).toEqual({ kind: "challenge" });

    const { challenge } = await oz.call.challenge({ deviceId: oz.deviceId });
    expect(challenge).not.toBeNull();
    const solution = await solveInNode(challenge!);
    expect(await safety.checkStart(person(oz), "start", solution)).toEqual({ kind: "allowed" });
    // the solution gave the device a while to go on: the next press needs none
    expect(await safety.checkStart(person(oz), "start")).toEqual({ kind: "allowed" });
    // another device at Oz's address is not watched (the device is)
    expect(await safety.checkStart({ ...person(oz), deviceId: `device-${randomUUID()}` }, "start")).toEqual({ kind: "allowed" });
  });

  test("Start is rate limited per device", async () => {
    const pat = await someone("Pat");
    const kinds = [];
    for (let i = 0; i < 21; i++) kinds.push((await safety.checkStart(person(pat), "start")).kind);
    expect(kinds.slice(0, 20).every((k) => k === "allowed")).toBe(true);
    expect(await safety.checkStart(person(pat), "start")).toMatchObject({ kind: "rateLimited", retryAfterMs: expect.any(Number) });
  });

  test("several reports against one device within an hour put it on the watch list; many people within minutes hold it", async () => {
    const reported = await someone("Quinn");
    const reporters = await Promise.all(["R1", "R2", "R3", "R4", "R5"].map((name) => someone(name)));
    const verdictAfter = async (reporter: Someone) => {
      await reporter.call.report({ matchId: matches.match(person(reporter), person(reported), 1_000), reason: "nudity" });
      return (await safety.checkStart(person(reported), "start")).kind;
    };
    const verdicts = [];
    for (const reporter of reporters) verdicts.push(await verdictAfter(reporter));
    expect(verdicts).toEqual(["allowed", "allowed", "challenge", "challenge", "held"]);

    const entries = await db.watchEntry.findMany({ where: { value: reported.deviceId }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => ({ held: e.held, until: e.until === null }))).toEqual([
      { held: false, until: false },
      { held: true, until: true },
    ]);
    expect(await auditOf("moderation.hold", reported.deviceId)).toHaveLength(1);
    expect(matches.removed).toContain(reported.userId);
    // held even after a Redis loss: the record is in PostgreSQL
    await redis.flushdb();
    expect((await safety.checkStart(person(reported), "start")).kind).toBe("held");
  });

  test("reports against many devices at one address put the address on the watch list", async () => {
    const address = "192.0.2.77";
    const reporters = await Promise.all(["S1", "S2", "S3", "S4", "S5", "S6"].map((name) => someone(name)));
    // a new device id (and guest) for each call, all from one address
    for (const reporter of reporters) {
      const reported = { ...person(await someone("Changes devices")), ip: address };
      await reporter.call.report({ matchId: matches.match(person(reporter), reported, 1_000), reason: "spam" });
    }
    const newcomer = { ...person(await someone("Next device")), ip: address };
    expect(await safety.checkStart(newcomer, "start")).toEqual({ kind: "challenge" });
    expect(await db.watchEntry.findFirst({ where: { kind: "IP", value: address } })).toMatchObject({
      held: false,
      reason: expect.stringMatching(/6 reports against this address/),
    });
    expect(await safety.checkStart({ ...newcomer, ip: "192.0.2.78" }, "start")).toEqual({ kind: "allowed" });
  });
});

// The console's Users section through the real web app (HTTP, session cookies) and a realtime node: search pages,
// a user's page, role changes with the last-admin rule (also for two admins demoting each other at once), signing
// another user out everywhere, the random-chat ban, and unknown ids.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, webClient } from "../../../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../../tests/harness/servers.ts";

let web: WebServer;
let node: RealtimeServer;
let db: PrismaClient;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb();
  node = await startRealtime({ allowedOrigins: [web.url] });
}, 180_000);

afterAll(async () => {
  await Promise.all([node?.stop(), web?.stop()]);
  await db?.$disconnect();
});

async function newAdmin(name: string) {
  const person = await newUser(web.url, name);
  await db.user.update({ where: { id: person.id }, data: { role: "ADMIN" } });
  return { ...person, api: webClient(web.url, person.cookie).admin };
}

/** Only `keep` are admins while `run` runs (the last-admin rule counts every admin); the others get their role back after. */
async function withOnlyAdmins<T>(keep: string[], run: () => Promise<T>): Promise<T> {
  const others = await db.user.findMany({ where: { role: "ADMIN", id: { notIn: keep } }, select: { id: true } });
  await db.user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { role: "USER" } });
  try {
    return await run();
  } finally {
    await db.user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { role: "ADMIN" } });
  }
}

test("search finds people by part of their name or e-mail, page after page without repeats", async () => {
  const admin = await newAdmin("Searching Sam");
  const tag = randomUUID().slice(0, 8);
  const named = [];
  for (let i = 0; i < 5; i++) named.push(await newUser(web.url, `Quinn ${tag} ${i}`));
  const byEmail = await newUser(web.url, "Nobody Special");

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof admin.api.users.search.query>> = await admin.api.users.search.query({ query: `quinn ${tag.toUpperCase()}`, limit: 2, cursor });
    seen.push(...page.items.map((u) => u.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  expect(pages).toBe(3);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.sort()).toEqual(named.map((u) => u.id).sort());

  const emailPart = byEmail.email.slice(5, 20);
  const found = await admin.api.users.search.query({ query: emailPart });
  expect(found.items).toEqual([expect.objectContaining({ id: byEmail.id, name: "Nobody Special", email: byEmail.email, role: "USER" })]);
  // LIKE's wildcards are searched for literally
  expect((await admin.api.users.search.query({ query: `%${tag}` })).items).toEqual([]);
});

test("a user's page shows their role, dates, meetings, reports by and against them and their bans", async () => {
  const admin = await newAdmin("Paging Pat");
  const rae = await newUser(web.url, "Reported Rae");
  const rex = await newUser(web.url, "Reporting Rex");
  const meeting = await webClient(web.url, rae.cookie).meeting.create.mutate({ title: "Rae's standup" });
  await db.meetingParticipant.create({ data: { meetingId: meeting.id, userId: rae.id, displayName: "Reported Rae", role: "HOST" } });
  const report = {
    reason: "SPAM",
    matchId: randomUUID(),
    reporterDeviceId: "device-rex",
    reportedDeviceId: "device-rae",
    reporterIp: "192.0.2.1",
    reportedIp: "192.0.2.2",
    reporterPriorReports: 0,
    reportedPriorReports: 0,
    reporterPriorFiled: 0,
  } as const;
  await db.report.create({ data: { ...report, reporterId: rex.id, reportedUserId: rae.id } });
  await db.report.create({ data: { ...report, matchId: randomUUID(), reporterId: rae.id, reportedUserId: rex.id, reason: "HARASSMENT" } });
  await admin.api.users.ban.mutate({ userId: rae.id, reason: "Spamming strangers", durationMinutes: 60 });

  const page = await admin.api.users.get.query({ userId: rae.id });
  expect(page.user).toMatchObject({ id: rae.id, name: "Reported Rae", email: rae.email, role: "USER", isGuest: false });
  expect(page.user.createdAt).toBeInstanceOf(Date);
  expect(page.meetings.items).toEqual([expect.objectContaining({ role: "HOST", meeting: expect.objectContaining({ id: meeting.id, title: "Rae's standup" }) })]);
  expect(page.reportsAgainst.items).toEqual([expect.objectContaining({ reason: "SPAM", reporter: { id: rex.id, name: "Reporting Rex" } })]);
  expect(page.reportsBy.items).toEqual([expect.objectContaining({ reason: "HARASSMENT", reportedUser: { id: rex.id, name: "Reporting Rex" } })]);
  expect(page.bans).toMatchObject({ total: 1, items: [{ reason: "Spamming strangers", liftedAt: null, issuedBy: { id: admin.id, name: "Paging Pat" } }] });
  expect(page.bans.items[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now());
  // the ban is moderation's random-chat ban: she stays signed in
  await expect(webClient(web.url, rae.cookie).meeting.listMine.query()).resolves.toBeDefined();
  await expect(admin.api.users.ban.mutate({ userId: admin.id, reason: "Testing myself", durationMinutes: null })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
});

test("an admin makes someone an admin and back, each change audited with its reason and address", async () => {
  const admin = await newAdmin("Granting Gia");
  const lee = await newUser(web.url, "Promoted Lee");
  const leeAdmin = webClient(web.url, lee.cookie).admin;
  await expect(leeAdmin.users.search.query({ query: "Lee" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

  expect(await admin.api.users.setRole.mutate({ userId: lee.id, role: "ADMIN", reason: "Joins the moderation team" })).toEqual({ role: "ADMIN", changed: true });
  // her open session has the role at once
  await expect(leeAdmin.users.search.query({ query: "Lee" })).resolves.toMatchObject({ items: expect.any(Array) });
  expect(await admin.api.users.setRole.mutate({ userId: lee.id, role: "ADMIN", reason: "Again" })).toEqual({ role: "ADMIN", changed: false });
  await admin.api.users.setRole.mutate({ userId: lee.id, role: "USER", reason: "Left the team" });
  await expect(leeAdmin.users.search.query({ query: "Lee" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

  const audit = await db.auditLog.findMany({ where: { targetId: lee.id, action: "admin.user.setRole" }, orderBy: { id: "asc" } });
  expect(audit).toEqual([
    expect.objectContaining({ actorId: admin.id, targetType: "user", ip: expect.any(String), data: { from: "USER", to: "ADMIN", reason: "Joins the moderation team" } }),
    expect.objectContaining({ actorId: admin.id, data: { from: "ADMIN", to: "USER", reason: "Left the team" } }),
  ]);
  expect(audit[0]!.createdAt).toBeInstanceOf(Date);
  await expect(admin.api.users.setRole.mutate({ userId: lee.id, role: "ADMIN", reason: "" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST", field: "reason" } });
});

test("the last admin cannot drop their own admin role; with a second admin they can", async () => {
  const solo = await newAdmin("Solo Sol");
  await withOnlyAdmins([solo.id], async () => {
    await expect(solo.api.users.setRole.mutate({ userId: solo.id, role: "USER", reason: "Stepping down" })).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: expect.stringContaining("last administrator"),
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: solo.id } })).role).toBe("ADMIN");
    const next = await newUser(web.url, "Next Nia");
    await solo.api.users.setRole.mutate({ userId: next.id, role: "ADMIN", reason: "Takes over" });
    await solo.api.users.setRole.mutate({ userId: solo.id, role: "USER", reason: "Stepping down" });
    expect(await db.user.count({ where: { role: "ADMIN" } })).toBe(1);
  });
});

test("two admins demoting each other at the same moment leave one admin, every time", async () => {
  for (let round = 0; round < 5; round++) {
    const [ada, bo] = await Promise.all([newAdmin(`Ada ${round}`), newAdmin(`Bo ${round}`)]);
    await withOnlyAdmins([ada.id, bo.id], async () => {
      const results = await Promise.allSettled([
        ada.api.users.setRole.mutate({ userId: bo.id, role: "USER", reason: "Coup" }),
        bo.api.users.setRole.mutate({ userId: ada.id, role: "USER", reason: "Counter-coup" }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      // the second in line is no admin any more when its turn comes
      const refused = results.find((r) => r.status === "rejected")!;
      expect(refused.reason).toMatchObject({ data: { code: expect.stringMatching(/^(FORBIDDEN|PRECONDITION_FAILED)$/) } });
      expect(await db.user.count({ where: { role: "ADMIN", id: { in: [ada.id, bo.id] } } })).toBe(1);
    });
  }
});

test("signing a user out everywhere closes their open socket and refuses their old cookie", async () => {
  const admin = await newAdmin("Closing Cal");
  const una = await newUser(web.url, "Signed-out Una");
  await expect(webClient(web.url, una.cookie).meeting.listMine.query()).resolves.toBeDefined();
  const ws = new WebSocket(node.wsUrl, { headers: { origin: web.url, cookie: una.cookie } });
  const closed = new Promise<number>((resolve, reject) => {
    ws.once("close", (code) => resolve(code));
    ws.once("error", reject);
  });
  await new Promise((resolve) => ws.once("open", resolve));

  await admin.api.users.signOutEverywhere.mutate({ userId: una.id, reason: "Account shared in public" });
  expect(await closed).toBe(4401);
  await expect(webClient(web.url, una.cookie).meeting.listMine.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  // the admin's own session is untouched
  await expect(admin.api.users.get.query({ userId: una.id })).resolves.toMatchObject({ user: { id: una.id } });
  const entry = await db.auditLog.findFirstOrThrow({ where: { targetId: una.id, action: "admin.user.signOutEverywhere" } });
  expect(entry).toMatchObject({ actorId: admin.id, data: { reason: "Account shared in public" } });
});

test("unknown user ids are NOT_FOUND, malformed ones BAD_REQUEST, and nothing is written", async () => {
  const admin = await newAdmin("Careful Cy");
  const nobody = randomUUID();
  const reason = "Checking unknown ids";
  for (const call of [
    () => admin.api.users.get.query({ userId: nobody }),
    () => admin.api.users.setRole.mutate({ userId: nobody, role: "ADMIN", reason }),
    () => admin.api.users.signOutEverywhere.mutate({ userId: nobody, reason }),
    () => admin.api.users.ban.mutate({ userId: nobody, reason, durationMinutes: 5 }),
  ]) {
    await expect(call()).rejects.toMatchObject({ data: { code: "NOT_FOUND" }, message: "There is no user with this id." });
  }
  await expect(admin.api.users.get.query({ userId: "not-a-uuid" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  await expect(admin.api.users.search.query({ cursor: "made-up" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  await expect(admin.api.users.search.query({ query: "nul\u0000" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST", field: "query" } });
  await expect(admin.api.users.signOutEverywhere.mutate({ userId: nobody, reason: "why\u0000" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST", field: "reason" } });
  expect(await db.auditLog.count({ where: { targetId: nobody } })).toBe(0);
});

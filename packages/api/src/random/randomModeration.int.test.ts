// Random chat and its moderation together, as pages use them: guests on two realtime nodes press Start and Next
// (random.*) and report, block, appeal and solve challenges (moderation.*) on the same sockets; an admin bans from
// theirs. Unlike moderation/moderation.int.test.ts (the rules, with matches made up in the test), every match here
// is one the server made, and every verdict reaches the person as the answer to their press.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { solveInNode } from "@qualmeet/challenge/node";
import { createRedis } from "../services/redis.ts";
import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "../root.ts";
import { newUser, webClient } from "../../../../tests/harness/clients.ts";
import { RandomCrowd, type RandomPerson } from "../../../../tests/harness/randomChat.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";

const WIDEN_MS = 1000;
let web: WebServer;
let nodes: RealtimeServer[];
let db: PrismaClient;
const redis = createRedis({ url: process.env.REDIS_URL! }, "random-moderation-test");
let crowd: RandomCrowd;
/** the moderator, on the web app's HTTP API where the admin console's procedures are served */
let admin: TRPCClient<AppRouter>;

const env = { RANDOM_WIDEN_MS: String(WIDEN_MS), RATE_LIMIT_GUESTS_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_MIN: "100000" };

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb({ env });
  nodes = [await startRealtime({ allowedOrigins: [web.url], env }), await startRealtime({ allowedOrigins: [web.url], env })];
  crowd = new RandomCrowd(web, nodes);
  const moderator = await newUser(web.url, "Mo Moderator");
  await db.user.update({ where: { id: moderator.id }, data: { role: "ADMIN" } });
  admin = webClient(web.url, moderator.cookie);
}, 180_000);

afterEach(() => crowd.leaveAll());

afterAll(async () => {
  redis.disconnect();
  await db?.$disconnect();
  await Promise.all([...(nodes ?? []).map((n) => n.stop()), web?.stop()]);
});

const guest = (name: string, deviceId?: string): Promise<RandomPerson> => crowd.guest(name, deviceId);

/** Everyone here is in one region and language with no interests: any two are a match unless kept apart. */
const start = (p: RandomPerson, challengeSolution?: string) =>
  p.client.random.start.mutate({ deviceId: p.deviceId, preferences: { region: "europe", language: "en" }, challengeSolution });

/** Both searching long enough to accept anyone (2 x RANDOM_WIDEN_MS): still apart means kept apart. */
async function bothAcceptAnyone(a: RandomPerson, b: RandomPerson): Promise<void> {
  for (const p of [a, b]) await p.waitFor("widened", { where: (e) => e.stage === 2, timeoutMs: 30_000 });
}

test("a report from the call is stored with the match's facts; the two are never matched again, a newcomer is", async () => {
  const [ann, bob] = [await guest("Ann"), await guest("Bob")];
  await start(ann);
  expect(await start(bob)).toMatchObject({ status: "matched" });
  const { matchId } = await ann.waitFor("matched");
  await bob.waitFor("matched");

  const answer = await ann.client.moderation.report.mutate({ matchId, reason: "harassment", comment: "rude" });
  expect(answer.message).toMatch(/will not be matched with this person again/);
  expect(await db.report.findUniqueOrThrow({ where: { id: answer.reportId } })).toMatchObject({
    matchId,
    reporterId: ann.userId,
    reportedUserId: bob.userId,
    reporterDeviceId: ann.deviceId,
    reportedDeviceId: bob.deviceId,
    reporterIp: expect.any(String),
    reportedIp: expect.any(String),
    reason: "HARASSMENT",
  });
  // Bob cannot report Ann's call twice over, nor anyone with a made-up match
  await expect(bob.client.moderation.report.mutate({ matchId: randomUUID(), reason: "spam" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });

  // both search again, with nobody else around: they stay apart
  await ann.client.random.stop.mutate();
  await bob.client.random.stop.mutate();
  const [annFrom, bobFrom] = [ann.events.length, bob.events.length];
  expect(await start(ann)).toEqual({ status: "searching" });
  expect(await start(bob)).toEqual({ status: "searching" });
  await bothAcceptAnyone(ann, bob);
  expect(ann.matches()).toHaveLength(1);
  // Cid arrives and is matched with Ann, who waited longest
  const cid = await guest("Cid");
  expect(await start(cid)).toMatchObject({ status: "matched" });
  expect((await cid.waitFor("matched")).partnerName).toBe("Ann");
  expect((await ann.waitFor("matched", { from: annFrom })).partnerName).toBe("Cid");
  expect(bob.events.slice(bobFrom).some(({ event }) => event.type === "matched")).toBe(false);
});

test("a block from the call keeps the two apart at once, even as new guests on the same devices", async () => {
  const [dee, eli] = [await guest("Dee"), await guest("Eli")];
  await start(dee);
  await start(eli);
  const { matchId } = await dee.waitFor("matched");
  await eli.client.moderation.block.mutate({ matchId });
  await dee.client.random.stop.mutate();
  await eli.client.random.stop.mutate();
  // Eli comes back as a new guest in the same browser
  const eliAgain = await guest("Eli again", eli.deviceId);
  expect(await start(dee)).toEqual({ status: "searching" });
  expect(await start(eliAgain)).toEqual({ status: "searching" });
  await bothAcceptAnyone(dee, eliAgain);
  expect(eliAgain.matches()).toEqual([]);
});

test("a device banned by an admin gets the notice at Start; its appeal waits; lifted, it starts again", async () => {
  const fay = await guest("Fay");
  const { banId, until } = await admin.admin.bans.create.mutate({ kind: "device", value: fay.deviceId, reason: "Nudity on camera", durationMinutes: 60 });
  const refused = await start(fay);
  expect(refused).toMatchObject({ status: "banned", ban: { banId, kind: "device", reason: "Nudity on camera", until, appealPending: false } });
  expect(fay.matches()).toEqual([]);
  // not in the queue: Gus, arriving, waits alone
  const gus = await guest("Gus");
  expect(await start(gus)).toEqual({ status: "searching" });

  await fay.client.moderation.appeal.mutate({ deviceId: fay.deviceId, banId, message: "My little brother used my laptop." });
  await expect(fay.client.moderation.appeal.mutate({ deviceId: fay.deviceId, banId, message: "Please?" })).rejects.toMatchObject({ data: { code: "CONFLICT" } });
  expect(await start(fay)).toMatchObject({ status: "banned", ban: { appealPending: true } });
  expect(await db.appeal.count({ where: { banId, status: "PENDING" } })).toBe(1);

  await admin.admin.bans.lift.mutate({ banId, reason: "Appeal convincing: a shared laptop" });
  expect(await start(fay)).toMatchObject({ status: "matched" });
  expect((await fay.waitFor("matched")).partnerName).toBe("Gus");
});

test("a Next loop faster than anyone can look needs the challenge; solving it lets the person go on", async () => {
  // people who will arrive one at a time, each the only one searching besides Hal (connected beforehand)
  const arrivals = await Promise.all(Array.from({ length: 10 }, (_, i) => guest(`Arrival ${i}`)));
  const hal = await guest("Hal");
  let outcome = await start(hal);
  // Hal presses Next the moment each partner appears: 8 Nexts in a row need the challenge
  for (const arrival of arrivals) {
    const from = hal.events.length;
    await start(arrival);
    const { matchId } = await hal.waitFor("matched", { from });
    outcome = await hal.client.random.next.mutate({ matchId });
    if (outcome.status === "challengeRequired") break;
  }
  expect(outcome.status).toBe("challengeRequired");
  // until solved, every press is asked for it
  expect(await hal.client.random.next.mutate({})).toMatchObject({ status: "challengeRequired" });

  const { challenge } = await hal.client.moderation.challenge.mutate({ deviceId: hal.deviceId });
  expect(challenge).not.toBeNull();
  const solution = await solveInNode(challenge!);
  expect((await hal.client.random.next.mutate({ challengeSolution: solution })).status).toMatch(/^(searching|matched)$/);
});

// The admin dashboard (adminLive.dashboard) over two realtime nodes on one Redis and PostgreSQL: it sums both nodes'
// counters and lists each, follows meetings, random chat and reports as they happen, drops a stopped node, and
// gives nothing to anyone but an admin.
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { DashboardSnapshot } from "../../../packages/api/src/metrics/dashboard.ts";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, realtimeClient, signIn, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { guestCookie, randomPerson, type RandomPerson } from "../../../tests/harness/randomChat.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

// guests sign in and press Start from one address here
const env = { RATE_LIMIT_GUESTS_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_MIN: "100000", RATE_LIMIT_SCALE: "1000" };
let web: WebServer;
let db: PrismaClient;
const nodes: RealtimeServer[] = [];
const open: Array<{ close(): Promise<void> | void }> = [];

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb({ env });
  for (let i = 0; i < 2; i++) nodes.push(await startRealtime({ allowedOrigins: [web.url], env }));
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([...nodes.map((n) => n.stop()), web?.stop()]);
  await db?.$disconnect();
});

function connect(at: RealtimeServer, cookie: string): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

async function admin(name = "Ada Admin") {
  const user = await newUser(web.url, name);
  await db.user.update({ where: { id: user.id }, data: { role: "ADMIN" } });
  return user;
}

/** The dashboard as an admin on `at` sees it: the latest snapshot, and every one received. */
function watchDashboard(at: RealtimeServer, cookie: string) {
  const seen: DashboardSnapshot[] = [];
  const errors: unknown[] = [];
  connect(at, cookie).client.adminLive.dashboard.subscribe(undefined, { onData: (s) => void seen.push(s), onError: (e) => void errors.push(e) });
  return {
    seen,
    errors,
    latest: () => {
      const snapshot = seen.at(-1);
      if (!snapshot) throw new Error(`no snapshot yet${errors.length ? `: ${String(errors[0])}` : ""}`);
      return snapshot;
    },
  };
}

const nodeIdOf = async (node: RealtimeServer) => (await healthDetails(node)).nodeId;

test("the dashboard sums both nodes and lists each; meetings come and go by mode; a stopped node drops out", async () => {
  const [a, b] = nodes as [RealtimeServer, RealtimeServer];
  const [idA, idB] = [await nodeIdOf(a), await nodeIdOf(b)];
  const dashboard = watchDashboard(a, (await admin()).cookie);
  await vi.waitFor(() => expect(dashboard.latest().nodes.map((n) => n.nodeId)).toEqual(expect.arrayContaining([idA, idB])), { timeout: 10_000 });
  const before = dashboard.latest();

  // a P2P meeting with its host on node B, an SFU meeting (P2P limit 0) with its host on node A
  const host = await newUser(web.url, "Host");
  const hostWeb = webClient(web.url, host.cookie);
  const p2p = await hostWeb.meeting.create.mutate({ title: "Mesh" });
  const sfu = await hostWeb.meeting.create.mutate({ title: "Forwarded", p2pMaxParticipants: 0 });
  const onB = connect(b, host.cookie);
  const p2pJoin = await onB.client.room.join.mutate({ code: p2p.code });
  const guest = await newUser(web.url, "Second");
  await connect(b, guest.cookie).client.room.join.mutate({ code: p2p.code });
  await connect(a, host.cookie).client.room.join.mutate({ code: sfu.code });

  await vi.waitFor(
    () =>
      expect(dashboard.latest()).toMatchObject({
        meetings: { P2P: before.meetings.P2P + 1, SFU: before.meetings.SFU + 1 },
        participants: { P2P: before.participants.P2P + 2, SFU: before.participants.SFU + 1 },
      }),
    { timeout: 10_000 },
  );
  // each node lists what it carries, and the totals are their sums
  const now = dashboard.latest();
  const listed = now.nodes.filter((n) => n.nodeId === idA || n.nodeId === idB);
  expect(listed.reduce((sum, n) => sum + n.meetings, 0)).toBe(2);
  expect(listed.reduce((sum, n) => sum + n.participants, 0)).toBe(3);
  expect(now.sockets).toBe(now.nodes.reduce((sum, n) => sum + n.sockets, 0));
  expect(now.nodes.find((n) => n.nodeId === idB)!.sockets).toBeGreaterThanOrEqual(2);

  // the meetings end: the dashboard comes back to where it was
  await onB.client.room.leave.mutate({ meetingId: p2p.id, peerId: p2pJoin.self.peerId });
  await hostWeb.meeting.end.mutate({ code: p2p.code });
  await hostWeb.meeting.end.mutate({ code: sfu.code });
  await vi.waitFor(() => expect(dashboard.latest()).toMatchObject({ meetings: before.meetings, participants: before.participants }), { timeout: 15_000 });

  // node B stops (drain): it leaves the list at once, without waiting for its snapshot to lapse
  await b.stop();
  nodes.splice(nodes.indexOf(b), 1);
  await vi.waitFor(() => expect(dashboard.latest().nodes.map((n) => n.nodeId)).not.toContain(idB), { timeout: 10_000 });
  expect(dashboard.latest().nodes.map((n) => n.nodeId)).toContain(idA);
});

test("random chat: a searching person counts in the queue, a match as one active pair and two match waits; a report waits", async () => {
  const [a] = nodes as [RealtimeServer];
  const dashboard = watchDashboard(a, (await admin("Ada Again")).cookie);
  await vi.waitFor(() => dashboard.latest(), { timeout: 10_000 });
  const before = dashboard.latest();
  const person = async (name: string): Promise<RandomPerson> => {
    const p = await randomPerson({ wsUrl: a.wsUrl, origin: web.url, cookie: await guestCookie(web.url, name), name });
    open.push(p);
    return p;
  };
  const [ana, ben] = [await person("Ana"), await person("Ben")];
  const preferences = { region: "oceania" as const, language: "en" };
  await ana.client.random.start.mutate({ deviceId: ana.deviceId, preferences });
  await vi.waitFor(() => expect(dashboard.latest().randomQueue).toBe(before.randomQueue + 1), { timeout: 10_000 });
  await ben.client.random.start.mutate({ deviceId: ben.deviceId, preferences });
  const match = await ana.waitFor("matched");
  await vi.waitFor(
    () =>
      expect(dashboard.latest()).toMatchObject({
        randomQueue: before.randomQueue,
        randomActivePairs: before.randomActivePairs + 1,
        matchWaits: { count: before.matchWaits.count + 2 },
      }),
    { timeout: 10_000 },
  );

  // Ana reports Ben: one more report waits, the oldest for a little while
  await ana.client.moderation.report.mutate({ matchId: match.matchId, reason: "spam" });
  await vi.waitFor(() => expect(dashboard.latest().reportsWaiting).toBe(before.reportsWaiting + 1), { timeout: 10_000 });

  await ana.client.random.stop.mutate();
  await vi.waitFor(() => expect(dashboard.latest().randomActivePairs).toBe(before.randomActivePairs), { timeout: 10_000 });
});

test("nobody but an admin gets anything from the dashboard feed", async () => {
  const [a] = nodes as [RealtimeServer];
  const refusal = (cookie: string) =>
    new Promise<unknown>((resolve, reject) => {
      const sub = connect(a, cookie).client.adminLive.dashboard.subscribe(undefined, {
        onData: () => reject(new Error("a snapshot reached a non-admin")),
        onError: (error) => {
          sub.unsubscribe();
          resolve(error);
        },
      });
    });
  const guest = await signIn(web.url, { name: "Gus" }, "guest");
  expect(await refusal(guest.cookie)).toMatchObject({ data: { code: "FORBIDDEN" } });
  expect(await refusal((await newUser(web.url, "Ursula")).cookie)).toMatchObject({ data: { code: "FORBIDDEN" }, message: "Only administrators can do this." });
  // an admin demoted since the socket opened is refused on the next subscription
  const former = await admin("Former Admin");
  await db.user.update({ where: { id: former.id }, data: { role: "USER" } });
  expect(await refusal(former.cookie)).toMatchObject({ data: { code: "FORBIDDEN" } });
});

test("an admin demoted while watching stops getting numbers", async () => {
  const [a] = nodes as [RealtimeServer];
  const watcher = await admin("Soon Former");
  const dashboard = watchDashboard(a, watcher.cookie);
  await vi.waitFor(() => dashboard.latest(), { timeout: 10_000 });
  await db.user.update({ where: { id: watcher.id }, data: { role: "USER" } });
  // the role is read again with the first snapshot after ADMIN_RECHECK_MS: new sockets keep the numbers changing
  await vi.waitFor(
    () => {
      connect(a, watcher.cookie);
      expect(dashboard.errors[0]).toMatchObject({ data: { code: "FORBIDDEN" } });
    },
    { timeout: 30_000, interval: 1000 },
  );
});

// Chat end to end over two realtime nodes and the web app, with a PostgreSQL and a Redis of this file's own
// that it stops and starts: delivery while the database is down and nothing lost when it returns, idempotent
// re-sends, removed members cut off on their open sockets, bad input, Redis down, and calls that ring every
// tab of the callee (accept, decline, timeout).
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { createRedis, type ChatEvent } from "@qualmeet/api";
import { applyMigrations, createDb, type PrismaClient } from "@qualmeet/db";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres.ts";
import { startRedis, type RedisServer } from "../../../scripts/lib/redis.ts";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { repoRoot } from "../../../tests/harness/paths.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let dir: string;
let postgres: PostgresServer;
let pgPort: number;
let redis: RedisServer;
let db: PrismaClient;
let web: WebServer;
let nodeA: RealtimeServer;
let nodeB: RealtimeServer;
const open: RealtimeConnection[] = [];
// the nodes on which each user has a tab, and a Redis connection to see their subscriptions
const listening = new Map<string, Set<RealtimeServer>>();
let probe: Redis;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-chat-"));
  pgPort = await freePort();
  postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: pgPort, database: "chat" });
  redis = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false });
  await applyMigrations(postgres.url, path.join(repoRoot, "prisma/migrations"));
  db = createDb(postgres.url);
  probe = createRedis({ url: redis.url }, "chat-test-probe");
  const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, RATE_LIMIT_CHAT_PER_10S: "10000", CALL_RING_TIMEOUT_MS: "2000" };
  web = await startWeb({ env });
  [nodeA, nodeB] = await Promise.all([startRealtime({ env, allowedOrigins: [web.url] }), startRealtime({ env, allowedOrigins: [web.url] })]);
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([web?.stop(), nodeA?.stop(), nodeB?.stop()]);
  await db?.$disconnect();
  probe?.disconnect();
  await redis?.stop();
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

function connect(at: RealtimeServer, cookie: string): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

/** A tab: a socket with its chat.events subscription (live once its node subscribed in Redis), and what it received. */
async function tab(at: RealtimeServer, user: { id: string; cookie: string }) {
  const connection = connect(at, user.cookie);
  const seen: ChatEvent[] = [];
  const nodes = (listening.get(user.id) ?? new Set<RealtimeServer>()).add(at);
  listening.set(user.id, nodes);
  connection.client.chat.events.subscribe({}, { onData: ({ data }) => void seen.push(data) });
  await eventually(
    async () => (await probe.pubsub("NUMSUB", `chat:user:${user.id}`)) as [string, number],
    ([, n]) => n >= nodes.size,
    10_000,
  );
  return {
    client: connection.client,
    seen,
    of<T extends ChatEvent["type"]>(type: T) {
      return seen.filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type);
    },
    async until<T extends ChatEvent["type"]>(type: T, where: (e: Extract<ChatEvent, { type: T }>) => boolean = () => true, count = 1, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type && where(e as Extract<ChatEvent, { type: T }>));
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} ${type}, got ${found.length}; saw ${seen.map((e) => e.type).join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function twoPeople() {
  const [ann, bob] = [await newUser(web.url, "Ann"), await newUser(web.url, "Bob")];
  const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  return { ann, bob, dm };
}

test("with PostgreSQL down, 200 messages from two people on two nodes are delivered live, then stored exactly once in send order", async () => {
  const { ann, bob, dm } = await twoPeople();
  const annTab = await tab(nodeA, ann);
  const bobTab = await tab(nodeB, bob);

  await postgres.stop();
  const sendAll = async (who: typeof annTab, name: string) => {
    for (let i = 0; i < 100; i++) await who.client.chat.send.mutate({ conversationId: dm.id, clientId: `${name}-${i}-${randomUUID()}`, body: `${name} ${i}` });
  };
  await Promise.all([sendAll(annTab, "ann"), sendAll(bobTab, "bob")]);
  // both see all 200 at once, each person's in the order sent
  for (const t of [annTab, bobTab]) {
    const bodies = (await t.until("message.new", (e) => e.message.conversationId === dm.id, 200)).map((e) => e.message.body);
    expect(bodies.filter((b) => b.startsWith("ann"))).toEqual(Array.from({ length: 100 }, (_, i) => `ann ${i}`));
    expect(bodies.filter((b) => b.startsWith("bob"))).toEqual(Array.from({ length: 100 }, (_, i) => `bob ${i}`));
  }
  expect(await db.message.count({ where: { conversationId: dm.id } }).catch(() => "database down")).toBe("database down");

  postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: pgPort, database: "chat" });
  const stored = await eventually(
    () => db.message.findMany({ where: { conversationId: dm.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { body: true, senderId: true } }),
    (rows) => rows.length >= 200,
  );
  expect(stored).toHaveLength(200);
  expect(stored.filter((m) => m.senderId === ann.id).map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `ann ${i}`));
  expect(stored.filter((m) => m.senderId === bob.id).map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `bob ${i}`));

  // history after a reload: four pages of 50, newest first, the same 200
  const bobWeb = webClient(web.url, bob.cookie);
  const pages: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await eventually(
      () => bobWeb.chat.history.query({ conversationId: dm.id, cursor }),
      () => true,
    );
    pages.push(...page.messages.map((m) => m.body));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(pages.reverse()).toEqual(stored.map((m) => m.body));
}, 180_000);

test("the same client id sent twice is one message, shown once", async () => {
  const { ann, bob, dm } = await twoPeople();
  const annTab = await tab(nodeA, ann);
  const bobTab = await tab(nodeB, bob);
  const clientId = randomUUID();
  const first = await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId, body: "only once" });
  const second = await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId, body: "only once" });
  expect(second.id).toBe(first.id);
  await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "after" });
  await bobTab.until("message.new", (e) => e.message.body === "after");
  expect(bobTab.of("message.new").filter((e) => e.message.clientId === clientId)).toHaveLength(1);
  await eventually(
    () => db.message.count({ where: { conversationId: dm.id } }),
    (n) => n === 2,
  );
  expect(await db.message.count({ where: { senderId: ann.id, clientId } })).toBe(1);
});

test("a removed member's open socket stops receiving the group, and history and send refuse", async () => {
  const [ann, bob, cat] = [await newUser(web.url, "Ann"), await newUser(web.url, "Bob"), await newUser(web.url, "Cat")];
  const annWeb = webClient(web.url, ann.cookie);
  const group = await annWeb.chat.createGroup.mutate({ title: "Trio", memberIds: [bob.id, cat.id] });
  expect(group.myRole).toBe("ADMIN");
  const annTab = await tab(nodeA, ann);
  const bobTab = await tab(nodeB, bob);
  const catTab = await tab(nodeB, cat);
  await annTab.client.chat.send.mutate({ conversationId: group.id, clientId: randomUUID(), body: "hello all" });
  await catTab.until("message.new", (e) => e.message.body === "hello all");

  // a member cannot remove others
  await expect(webClient(web.url, bob.cookie).chat.removeMember.mutate({ conversationId: group.id, userId: cat.id })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  await annWeb.chat.removeMember.mutate({ conversationId: group.id, userId: cat.id });
  await catTab.until("conversation.removed", (e) => e.conversationId === group.id);
  await annTab.client.chat.send.mutate({ conversationId: group.id, clientId: randomUUID(), body: "without cat" });
  await bobTab.until("message.new", (e) => e.message.body === "without cat");
  expect(catTab.of("message.new").map((e) => e.message.body)).toEqual(["hello all"]);
  const catWeb = webClient(web.url, cat.cookie);
  await expect(catWeb.chat.history.query({ conversationId: group.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(catWeb.chat.get.query({ conversationId: group.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(catTab.client.chat.send.mutate({ conversationId: group.id, clientId: randomUUID(), body: "still here?" })).rejects.toMatchObject({
    data: { code: "NOT_FOUND" },
  });
  expect((await catWeb.chat.list.query()).map((c) => c.id)).not.toContain(group.id);
  expect(bobTab.of("message.new").map((e) => e.message.body)).toEqual(["hello all", "without cat"]);
});

test("bad input gets a clear error and nothing is stored or broadcast", async () => {
  const { ann, bob, dm } = await twoPeople();
  const annTab = await tab(nodeA, ann);
  const bobTab = await tab(nodeB, bob);
  const send = (body: string, conversationId = dm.id) => annTab.client.chat.send.mutate({ conversationId, clientId: randomUUID(), body });
  await expect(send("   ")).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/Write a message/) });
  await expect(send("x".repeat(4001))).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/4,000 characters/) });
  await expect(send("hello?", randomUUID())).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(send("hello?", "not-an-id")).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  const mine = await send("mine");
  await expect(bobTab.client.chat.edit.mutate({ messageId: mine.id, body: "yours now" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  await expect(bobTab.client.chat.delete.mutate({ messageId: mine.id })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  await expect(webClient(web.url, ann.cookie).chat.createGroup.mutate({ title: " ", memberIds: [bob.id] })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  await expect(webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: randomUUID() })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });

  await send("last");
  await bobTab.until("message.new", (e) => e.message.body === "last");
  expect(bobTab.seen.filter((e) => e.type.startsWith("message.")).map((e) => (e as { message: { body: string } }).message.body)).toEqual(["mine", "last"]);
  await eventually(
    () => db.message.count({ where: { conversationId: dm.id } }),
    (n) => n === 2,
  );
  expect((await db.message.findMany({ where: { conversationId: dm.id }, orderBy: { createdAt: "asc" } })).map((m) => m.body)).toEqual(["mine", "last"]);
});

test("typing reaches the others only; reading clears the unread count on the reader's other tabs and sends a receipt", async () => {
  const { ann, bob, dm } = await twoPeople();
  const annTab = await tab(nodeA, ann);
  const bobTab = await tab(nodeB, bob);
  const bobOtherTab = await tab(nodeA, bob);
  await annTab.client.chat.typing.mutate({ conversationId: dm.id });
  await bobTab.until("typing", (e) => e.user.id === ann.id);
  const message = await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "read me" });
  await bobTab.until("message.new");
  expect((await webClient(web.url, bob.cookie).chat.get.query({ conversationId: dm.id })).unread).toBe(1);
  expect(await bobTab.client.chat.markRead.mutate({ conversationId: dm.id, messageId: message.id })).toEqual({ unread: 0 });
  await bobOtherTab.until("unread", (e) => e.conversationId === dm.id && e.unread === 0);
  await annTab.until("read", (e) => e.userId === bob.id && e.messageId === message.id);
  expect(annTab.of("typing")).toEqual([]);
});

test("a call rings every tab of the callee: accept stops the other tab, the call ends when its meeting empties; decline and timeout are logged", async () => {
  const { ann, bob, dm } = await twoPeople();
  const annTab = await tab(nodeA, ann);
  const bobTab1 = await tab(nodeA, bob);
  const bobTab2 = await tab(nodeB, bob);

  const answered = await annTab.client.calls.start.mutate({ conversationId: dm.id, kind: "VIDEO" });
  for (const t of [bobTab1, bobTab2])
    expect((await t.until("call.ringing", (e) => e.call.id === answered.id))[0]!.call).toMatchObject({ from: { id: ann.id }, conversationTitle: "Ann" });
  const meeting = await db.meeting.findUniqueOrThrow({ where: { code: answered.meetingCode } });
  expect(meeting).toMatchObject({ maxParticipants: 2, mode: "P2P" });
  expect(await bobTab1.client.calls.accept.mutate({ callId: answered.id })).toEqual({ meetingCode: answered.meetingCode });
  await bobTab2.until("call.ended", (e) => e.callId === answered.id && e.answeredOnOtherDevice === true);
  await annTab.until("call.ended", (e) => e.callId === answered.id && e.status === "ANSWERED");
  await expect(bobTab2.client.calls.accept.mutate({ callId: answered.id })).rejects.toMatchObject({ data: { code: "CONFLICT" } });

  const declined = await annTab.client.calls.start.mutate({ conversationId: dm.id, kind: "AUDIO" });
  await bobTab2.until("call.ringing", (e) => e.call.id === declined.id);
  await bobTab2.client.calls.decline.mutate({ callId: declined.id });
  await annTab.until("call.ended", (e) => e.callId === declined.id && e.status === "DECLINED");
  await bobTab1.until("call.ended", (e) => e.callId === declined.id && e.status === "DECLINED");

  const missed = await annTab.client.calls.start.mutate({ conversationId: dm.id, kind: "AUDIO" });
  await bobTab1.until("call.ringing", (e) => e.call.id === missed.id);
  for (const t of [annTab, bobTab1, bobTab2]) await t.until("call.ended", (e) => e.callId === missed.id && e.status === "MISSED");

  // the answered call lasts while its meeting has people in it
  const joined = await Promise.all([annTab, bobTab1].map((t) => t.client.room.join.mutate({ code: answered.meetingCode })));
  for (const [i, t] of [annTab, bobTab1].entries()) await t.client.room.leave.mutate({ meetingId: meeting.id, peerId: joined[i]!.self.peerId });
  await annTab.until("call.ended", (e) => e.callId === answered.id && e.status === "ENDED");

  const { calls } = await webClient(web.url, bob.cookie).chat.history.query({ conversationId: dm.id });
  expect(calls.map((c) => [c.id, c.status])).toEqual([
    [missed.id, "MISSED"],
    [declined.id, "DECLINED"],
    [answered.id, "ENDED"],
  ]);
  expect(calls[2]!.endedAt!.getTime()).toBeGreaterThan(calls[2]!.answeredAt!.getTime());
});

test("a meeting's chat is a conversation of its participants, readable afterwards; others are refused", async () => {
  const [host, stranger] = [await newUser(web.url, "Host"), await newUser(web.url, "Stranger")];
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Standup" });
  const hostTab = await tab(nodeA, host);
  const chat = await hostTab.client.chat.meetingConversation.mutate({ meetingId: meeting.id });
  expect(chat).toMatchObject({ kind: "MEETING", title: "Standup", meetingCode: meeting.code, myRole: "ADMIN" });
  expect((await hostTab.client.chat.meetingConversation.mutate({ meetingId: meeting.id })).id).toBe(chat.id);
  await hostTab.client.chat.send.mutate({ conversationId: chat.id, clientId: randomUUID(), body: "agenda: <b>chat</b>" });
  const strangerTab = await tab(nodeB, stranger);
  await expect(strangerTab.client.chat.meetingConversation.mutate({ meetingId: meeting.id })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  await expect(webClient(web.url, stranger.cookie).chat.history.query({ conversationId: chat.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await webClient(web.url, host.cookie).meeting.end.mutate({ code: meeting.code });
  const page = await webClient(web.url, host.cookie).chat.history.query({ conversationId: chat.id });
  expect(page.messages.map((m) => m.body)).toEqual(["agenda: <b>chat</b>"]);
});

test("find people, contacts with presence, edits and deletes reach the other side, search within a conversation", async () => {
  const tag = randomUUID().slice(0, 8);
  const [ann, bob] = [await newUser(web.url, `Ann ${tag}`), await newUser(web.url, `Bob ${tag}`)];
  const annWeb = webClient(web.url, ann.cookie);
  expect(await annWeb.user.search.query({ query: `bob ${tag}` })).toEqual([{ id: bob.id, name: `Bob ${tag}`, isGuest: false }]);
  expect(await annWeb.user.search.query({ query: ann.email })).toEqual([]);
  const dm = await annWeb.chat.createDirect.mutate({ userId: bob.id });
  expect((await webClient(web.url, bob.cookie).chat.createDirect.mutate({ userId: ann.id })).id).toBe(dm.id);
  expect(dm.title).toBe(`Bob ${tag}`);
  const annTab = await tab(nodeA, ann);
  const bobTab = await tab(nodeB, bob);
  expect(await annWeb.user.contacts.query()).toEqual([{ id: bob.id, name: `Bob ${tag}`, isGuest: false, online: true, lastSeenAt: null }]);

  const typo = await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "the meetign is at 10" });
  const other = await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "delete me", replyToId: typo.id });
  expect(other.replyTo).toEqual({ id: typo.id, body: "the meetign is at 10", senderName: `Ann ${tag}` });
  await annTab.client.chat.edit.mutate({ messageId: typo.id, body: "the meeting is at 10" });
  await annTab.client.chat.delete.mutate({ messageId: other.id });
  expect((await bobTab.until("message.edited"))[0]!.message).toMatchObject({ id: typo.id, body: "the meeting is at 10", editedAt: expect.any(Date) });
  expect((await bobTab.until("message.deleted"))[0]!.message).toMatchObject({ id: other.id, body: "", deletedAt: expect.any(Date) });
  const found = await webClient(web.url, bob.cookie).chat.search.query({ conversationId: dm.id, query: "MEETING" });
  expect(found.map((m) => m.id)).toEqual([typo.id]);
  expect(await webClient(web.url, bob.cookie).chat.search.query({ conversationId: dm.id, query: "delete" })).toEqual([]);
});

test("with Redis down, sending fails with SERVICE_UNAVAILABLE and a clear message", async () => {
  const { ann, dm } = await twoPeople();
  const annTab = await tab(nodeA, ann);
  const redisPort = redis.port;
  await redis.stop();
  try {
    await expect(annTab.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "into the void" })).rejects.toMatchObject({
      data: { code: "SERVICE_UNAVAILABLE" },
      message: expect.stringMatching(/Redis/),
    });
    expect(await db.message.count({ where: { conversationId: dm.id } })).toBe(0);
  } finally {
    // whatever runs after this test needs Redis again
    redis = await startRedis({ dataDir: path.join(dir, "redis"), port: redisPort, reuseExisting: false });
  }
});

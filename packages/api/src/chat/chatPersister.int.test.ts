// The chat outbox and its persister against the real PostgreSQL and Redis of the test run: what is sent is
// delivered to every member's stream at once, visible in history before it is stored, stored exactly once,
// and later versions (edits, deletes) win however the outbox entries reach the database.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { createRedis } from "../services/redis.ts";
import { ChatPersister, PERSISTER_GROUP } from "./chatPersister.ts";
import { userStreamKey } from "./chatEvents.ts";
import { OUTBOX, pendingKey } from "./chatOutbox.ts";
import { change, markRead, send } from "./chatService.ts";
import { history, listConversations } from "./conversations.ts";
import { refreshMembers } from "./members.ts";
import type { ChatMessage, ChatUser } from "./types.ts";

let db: PrismaClient;
let redis: Redis;
let persisterRedis: Redis;
let persister: ChatPersister;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "chat-persister-test");
  persisterRedis = createRedis({ url: process.env.REDIS_URL! }, "chat-persister-test-stream");
  persister = new ChatPersister({ db, redis: persisterRedis, consumer: `test-${randomUUID()}`, log: () => {} });
});

afterAll(async () => {
  await persister.stop();
  persisterRedis.disconnect();
  redis.disconnect();
  await db.$disconnect();
});

async function user(name: string): Promise<ChatUser> {
  const created = await db.user.create({ data: { name, email: `${randomUUID()}@example.test` }, select: { id: true, name: true, isGuest: true } });
  return created;
}

async function group(...members: ChatUser[]): Promise<string> {
  const conversation = await db.conversation.create({
    data: { kind: "GROUP", title: "Team", members: { create: members.map((m, i) => ({ userId: m.id, role: i === 0 ? ("ADMIN" as const) : ("MEMBER" as const) })) } },
  });
  await refreshMembers(redis, db, conversation.id);
  return conversation.id;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const streamMessages = async (userId: string) =>
  (await redis.xrange(userStreamKey(userId), "-", "+")).map(([, fields]) => JSON.parse(fields[1]!) as { type: string; m?: { id: string; body: string } });

const deps = () => ({ db, redis });

test("messages reach every member at once, show in history before they are stored, and are stored once in send order", async () => {
  await persister.stop();
  const [ann, bob] = [await user("Ann"), await user("Bob")];
  const conversationId = await group(ann, bob);
  const sent: ChatMessage[] = [];
  for (let i = 0; i < 5; i++) sent.push(await send(deps(), i % 2 ? bob : ann, { conversationId, clientId: `client-${randomUUID()}`, body: `message ${i}` }));
  // a re-send with the same client id is the same message, broadcast once
  const again = await send(deps(), ann, { conversationId, clientId: sent[0]!.clientId, body: "message 0" });
  expect(again.id).toBe(sent[0]!.id);
  for (const member of [ann, bob]) {
    const news = (await streamMessages(member.id)).filter((e) => e.type === "message.new");
    expect(news.map((e) => e.m!.body)).toEqual(["message 0", "message 1", "message 2", "message 3", "message 4"]);
  }

  // not stored yet, already in history (newest first) and in the list's preview and unread count
  const before = await history(deps(), bob.id, conversationId, undefined);
  expect(before.messages.map((m) => m.body)).toEqual(["message 4", "message 3", "message 2", "message 1", "message 0"]);
  const [summary] = await listConversations(deps(), bob.id);
  expect(summary).toMatchObject({ id: conversationId, unread: 3, lastMessage: { body: "message 4" } });

  persister.start();
  await until(async () => (await redis.hlen(pendingKey(conversationId))) === 0, "the outbox to drain");
  const stored = await db.message.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" } });
  expect(stored.map((m) => m.body)).toEqual(["message 0", "message 1", "message 2", "message 3", "message 4"]);
  expect((await history(deps(), ann.id, conversationId, undefined)).messages.map((m) => m.id)).toEqual(sent.map((m) => m.id).reverse());

  // reading clears the unread count, for the reader only
  expect(await markRead(deps(), bob, conversationId, sent[4]!.id)).toEqual({ unread: 0 });
  expect((await listConversations(deps(), bob.id))[0]!.unread).toBe(0);
  expect((await listConversations(deps(), ann.id))[0]!.unread).toBe(2);
  await until(
    async () => (await db.conversationMember.findFirst({ where: { conversationId, userId: bob.id } }))?.lastReadMessageId === sent[4]!.id,
    "the read marker to be stored",
  );
});

test("an edit and a delete queued before the message was stored end up in PostgreSQL; others cannot edit it", async () => {
  await persister.stop();
  const [ann, bob] = [await user("Ann"), await user("Bob")];
  const conversationId = await group(ann, bob);
  const first = await send(deps(), ann, { conversationId, clientId: randomUUID(), body: "frist" });
  const second = await send(deps(), ann, { conversationId, clientId: randomUUID(), body: "oops" });
  await expect(change(deps(), bob, first.id, "hijacked")).rejects.toMatchObject({ code: "FORBIDDEN" });
  const edited = await change(deps(), ann, first.id, "first");
  expect(edited).toMatchObject({ body: "first", editedAt: expect.any(Date) });
  await change(deps(), ann, second.id, null);
  expect((await history(deps(), bob.id, conversationId, undefined)).messages.map((m) => [m.body, m.deletedAt !== null])).toEqual([
    ["", true],
    ["first", false],
  ]);
  persister.start();
  await until(async () => (await redis.hlen(pendingKey(conversationId))) === 0, "the outbox to drain");
  const stored = await db.message.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" } });
  expect(stored.map((m) => [m.body, m.editedAt !== null, m.deletedAt !== null])).toEqual([
    ["first", true, false],
    ["", false, true],
  ]);
});

test("bad input stores and broadcasts nothing", async () => {
  const [ann, bob, eve] = [await user("Ann"), await user("Bob"), await user("Eve")];
  const conversationId = await group(ann, bob);
  const outboxBefore = await redis.xlen(OUTBOX);
  await expect(send(deps(), eve, { conversationId, clientId: randomUUID(), body: "let me in" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(send(deps(), ann, { conversationId: randomUUID(), clientId: randomUUID(), body: "anyone?" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(send(deps(), ann, { conversationId, clientId: randomUUID(), body: "re", replyToId: randomUUID() })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  await expect(change(deps(), ann, randomUUID(), "nothing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(history(deps(), eve.id, conversationId, undefined)).rejects.toMatchObject({ code: "NOT_FOUND" });
  expect(await redis.xlen(OUTBOX)).toBeLessThanOrEqual(outboxBefore);
  expect(await streamMessages(bob.id)).toEqual([]);
});

test("entries a dead node took but never stored are claimed and stored by another node", async () => {
  await persister.stop();
  // the consumer group every node's persister creates when it starts (this test may be the first to need it)
  await redis.xgroup("CREATE", OUTBOX, PERSISTER_GROUP, "0", "MKSTREAM").catch((error: Error) => {
    if (!error.message.includes("BUSYGROUP")) throw error;
  });
  const [ann, bob] = [await user("Ann"), await user("Bob")];
  const conversationId = await group(ann, bob);
  const sent: ChatMessage[] = [];
  for (let i = 0; i < 3; i++) sent.push(await send(deps(), ann, { conversationId, clientId: randomUUID(), body: `taken ${i}` }));
  // a node reads them into its pending list, then dies before writing them
  const taken = (await redis.xreadgroup("GROUP", PERSISTER_GROUP, `dead-${randomUUID()}`, "COUNT", 1000, "STREAMS", OUTBOX, ">")) as Array<[string, unknown[]]> | null;
  expect(taken?.[0]?.[1].length).toBeGreaterThanOrEqual(3);
  const survivor = new ChatPersister({ db, redis: persisterRedis, consumer: `survivor-${randomUUID()}`, claimIdleMs: 300, log: () => {} });
  survivor.start();
  try {
    await until(async () => (await db.message.count({ where: { conversationId } })) === 3, "the claimed entries to be stored", 30_000);
  } finally {
    await survivor.stop();
  }
  expect((await db.message.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" } })).map((m) => m.id)).toEqual(sent.map((m) => m.id));
});

test("a persister that just started stores its first batch as one batch, each message once", async () => {
  await persister.stop();
  const [ann, bob] = [await user("Ann"), await user("Bob")];
  const conversationId = await group(ann, bob);
  for (let i = 0; i < 3; i++) await send(deps(), ann, { conversationId, clientId: randomUUID(), body: `first batch ${i}` });
  // a new node: its own fresh connection, on which no script command was defined yet
  const freshRedis = createRedis({ url: process.env.REDIS_URL! }, "chat-persister-test-fresh");
  const logs: string[] = [];
  const fresh = new ChatPersister({ db, redis: freshRedis, consumer: `fresh-${randomUUID()}`, log: (line) => logs.push(line) });
  fresh.start();
  try {
    await until(async () => (await redis.hlen(pendingKey(conversationId))) === 0, "the outbox to drain");
  } finally {
    await fresh.stop();
    freshRedis.disconnect();
  }
  expect(logs).toEqual([]);
  // a refused batch is stored again entry by entry, counting each message twice
  expect(fresh.persisted).toBe(3);
  expect((await db.message.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" } })).map((m) => m.body)).toEqual(["first batch 0", "first batch 1", "first batch 2"]);
});

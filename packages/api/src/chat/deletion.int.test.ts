// Deleting a message before it reached PostgreSQL (issue 10), against the real PostgreSQL and Redis of the test run:
// the text leaves the outbox and every stream that held it (a member who left since included), and the persister
// still stores the message exactly once, without its text.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { createRedis } from "../services/redis.ts";
import { ChatPersister } from "./chatPersister.ts";
import { userStreamKey } from "./chatEvents.ts";
import { OUTBOX, pendingKey } from "./chatOutbox.ts";
import { change, send } from "./chatService.ts";
import { refreshMembers } from "./members.ts";
import type { ChatUser } from "./types.ts";

let db: PrismaClient;
let redis: Redis;
let persisterRedis: Redis;
let persister: ChatPersister;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "chat-deletion-test");
  persisterRedis = createRedis({ url: process.env.REDIS_URL! }, "chat-deletion-test-stream");
  persister = new ChatPersister({ db, redis: persisterRedis, consumer: `test-${randomUUID()}`, log: () => {} });
});

afterAll(async () => {
  await persister.stop();
  persisterRedis.disconnect();
  redis.disconnect();
  await db.$disconnect();
});

const user = (name: string): Promise<ChatUser> => db.user.create({ data: { name, email: `${randomUUID()}@example.test` }, select: { id: true, name: true, isGuest: true } });

const holds = async (key: string, text: string) => JSON.stringify(await redis.xrange(key, "-", "+")).includes(text);

test("a message edited and deleted before it was stored leaves no text in Redis, and is stored once without it", async () => {
  // the persister has not run: everything is still queued
  await persister.stop();
  const [ann, bob, cat] = await Promise.all([user("Ann"), user("Bob"), user("Cat")]);
  const { id: conversationId } = await db.conversation.create({
    data: { kind: "GROUP", title: "Team", members: { create: [ann, bob, cat].map((m) => ({ userId: m.id })) } },
  });
  await refreshMembers(redis, db, conversationId);
  const deps = { db, redis };
  const secret = `password ${randomUUID()}`;
  const message = await send(deps, ann, { conversationId, clientId: randomUUID(), body: secret });
  await change(deps, ann, message.id, `${secret} (edited)`);
  // Cat leaves before the deletion: her stream had the text too
  await db.conversationMember.update({ where: { conversationId_userId: { conversationId, userId: cat.id } }, data: { leftAt: new Date() } });
  await refreshMembers(redis, db, conversationId);
  for (const key of [OUTBOX, userStreamKey(ann.id), userStreamKey(bob.id), userStreamKey(cat.id)]) expect(await holds(key, secret)).toBe(true);

  await change(deps, ann, message.id, null);
  for (const key of [OUTBOX, userStreamKey(ann.id), userStreamKey(bob.id), userStreamKey(cat.id)]) expect(await holds(key, secret), key).toBe(false);
  expect(JSON.stringify(await redis.hgetall(pendingKey(conversationId)))).not.toContain(secret);

  persister.start();
  await expect
    .poll(() => db.message.findMany({ where: { conversationId }, select: { id: true, body: true, deletedAt: true } }), { timeout: 30_000 })
    .toEqual([{ id: message.id, body: "", deletedAt: expect.any(Date) }]);
  await expect.poll(() => redis.hlen(pendingKey(conversationId)), { timeout: 30_000 }).toBe(0);
});

// A user's chat events on one node, against the real Redis of the test run: tRPC tells a client its subscription has
// started when the handler returns, and a page sends (or is sent) a message right then. The hub listens before
// `open` resolves, so such a message arrives live even if nobody has read the events yet.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Bus } from "../services/bus.ts";
import { createRedis } from "../services/redis.ts";
import { ChatEventHub, publishChatEvent, type StoredChatEvent } from "./chatEvents.ts";

let redis: Redis;
let bus: Bus;

beforeAll(() => {
  redis = createRedis({ url: process.env.REDIS_URL! }, "chat-events-test");
  bus = new Bus({ url: process.env.REDIS_URL! }, redis);
});

afterAll(async () => {
  await bus.close();
  redis.disconnect();
});

const updated = (conversationId: string): StoredChatEvent => ({ type: "conversation.updated", conversationId });

test("an event published as soon as the subscription is open arrives, before the first read and after it, once each", async () => {
  const hub = new ChatEventHub(redis, bus);
  const userId = randomUUID();
  const stop = new AbortController();
  const events = await hub.open(userId, null, stop.signal);
  await publishChatEvent(redis, [userId], updated("first"));
  await publishChatEvent(redis, [userId], updated("second"));
  const first = await events.next();
  const second = await events.next();
  expect([first.value?.event, second.value?.event]).toEqual([updated("first"), updated("second")]);

  // a resumed subscription reads what it missed from the stream, then live ones, without doubles
  const resumed = await hub.open(userId, first.value!.id, stop.signal);
  await publishChatEvent(redis, [userId], updated("third"));
  const seen = [(await resumed.next()).value?.event, (await resumed.next()).value?.event];
  expect(seen).toEqual([updated("second"), updated("third")]);
  stop.abort();
  expect((await events.next()).done).toBe(true);
});

test("a subscription closed before anyone read it stops listening", async () => {
  const hub = new ChatEventHub(redis, bus);
  const userId = randomUUID();
  const stop = new AbortController();
  await hub.open(userId, null, stop.signal);
  const listening = () => (hub as unknown as { users: Map<string, unknown> }).users.has(userId);
  expect(listening()).toBe(true);
  stop.abort();
  expect(listening()).toBe(false);
});

// Token buckets in a real Redis (started by the test run).
import { randomUUID } from "node:crypto";
import { afterAll, expect, test } from "vitest";
import { createRedis } from "./redis.ts";
import { consumeToken, retryMessage } from "./rateLimit.ts";

const redis = createRedis({ url: process.env.REDIS_URL! }, "rate-limit-test");
afterAll(() => redis.disconnect());

test("a bucket allows its capacity, then refuses with the time until the next token", async () => {
  const rule = { scope: "test", capacity: 5, windowMs: 60_000 };
  const key = randomUUID();
  const verdicts = [];
  for (let i = 0; i < 6; i++) verdicts.push(await consumeToken(redis, rule, key));
  expect(verdicts.slice(0, 5).every((v) => v.allowed)).toBe(true);
  expect(verdicts[5]!.allowed).toBe(false);
  // one token comes back every 12 s at 5 per minute
  expect(verdicts[5]!.retryAfterMs).toBeGreaterThan(11_000);
  expect(verdicts[5]!.retryAfterMs).toBeLessThanOrEqual(12_000);
  expect(await redis.pttl(`rl:test:${key}`)).toBeGreaterThan(0);
});

test("tokens come back over time, and keys do not share buckets", async () => {
  const rule = { scope: "test", capacity: 2, windowMs: 400 };
  const key = randomUUID();
  await consumeToken(redis, rule, key);
  await consumeToken(redis, rule, key);
  expect((await consumeToken(redis, rule, key)).allowed).toBe(false);
  expect((await consumeToken(redis, rule, randomUUID())).allowed).toBe(true);
  await new Promise((r) => setTimeout(r, 250));
  expect((await consumeToken(redis, rule, key)).allowed).toBe(true);
});

test("retry messages are in seconds or minutes", () => {
  expect(retryMessage("sign-in attempts", 11_200)).toBe("Too many sign-in attempts. Try again in 12 seconds.");
  expect(retryMessage("registrations", 1_150_000)).toBe("Too many registrations. Try again in 20 minutes.");
});

test("a large bucket is lent to a node a tenth at a time and still holds its limit", async () => {
  const rule = { scope: "test", capacity: 200, windowMs: 60_000 };
  const key = randomUUID();
  const verdicts = await Promise.all(Array.from({ length: 230 }, () => consumeToken(redis, rule, key)));
  expect(verdicts.filter((v) => v.allowed)).toHaveLength(200);
  const refused = verdicts.filter((v) => !v.allowed);
  expect(refused).toHaveLength(30);
  expect(refused.every((v) => v.retryAfterMs > 0)).toBe(true);
  // what another node sees: the same bucket, empty
  const otherNode = createRedis({ url: process.env.REDIS_URL! }, "rate-limit-test-2");
  try {
    expect((await consumeToken(otherNode, rule, key)).allowed).toBe(false);
  } finally {
    otherNode.disconnect();
  }
});

test("a node holding a lease leaves the rest of the bucket to the others", async () => {
  const rule = { scope: "test", capacity: 100, windowMs: 60_000 };
  const key = randomUUID();
  expect((await consumeToken(redis, rule, key)).allowed).toBe(true);
  // one lease of 10 left Redis; the other node can take the remaining 90 and no more
  const otherNode = createRedis({ url: process.env.REDIS_URL! }, "rate-limit-test-3");
  try {
    const verdicts = [];
    for (let i = 0; i < 91; i++) verdicts.push(await consumeToken(otherNode, rule, key));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(90);
  } finally {
    otherNode.disconnect();
  }
  // the first node still spends its own lease
  for (let i = 0; i < 9; i++) expect((await consumeToken(redis, rule, key)).allowed).toBe(true);
  expect((await consumeToken(redis, rule, key)).allowed).toBe(false);
});

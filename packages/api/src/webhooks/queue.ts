// The delivery queue: a sorted set of delivery ids by due time (webhook:queue). Taking work is one Lua script that
// reads the due ids and moves each one's score to the end of a lease, so two nodes never take the same delivery, and
// one that dies mid-send leaves it to be taken again once the lease ends. PostgreSQL holds the deliveries themselves.
import type { Redis } from "ioredis";
import { webhookKeys } from "./keys.ts";

const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return due`;

type QueueRedis = Redis & { webhookClaim(key: string, now: number, leaseUntil: number, count: number): Promise<string[]> };

function withClaim(redis: Redis): QueueRedis {
  const r = redis as QueueRedis;
  if (typeof r.webhookClaim !== "function") redis.defineCommand("webhookClaim", { numberOfKeys: 1, lua: CLAIM });
  return r;
}

/** Deliveries due now (at most `count`), each leased to the caller until `now + leaseMs`. */
export const claimDue = (redis: Redis, now: number, leaseMs: number, count: number): Promise<string[]> =>
  withClaim(redis).webhookClaim(webhookKeys.queue, now, now + leaseMs, count);

/** Queues (or moves) a delivery to be sent at `dueMs`. */
export async function schedule(redis: Redis, deliveryId: string, dueMs: number): Promise<void> {
  await redis.zadd(webhookKeys.queue, dueMs, deliveryId);
}

/** Queues deliveries the queue does not hold (a delivery already queued or leased keeps its time). */
export async function scheduleMissing(redis: Redis, deliveries: Array<{ id: string; dueMs: number }>): Promise<number> {
  if (deliveries.length === 0) return 0;
  return redis.zadd(webhookKeys.queue, "NX", ...deliveries.flatMap((d) => [d.dueMs, d.id]));
}

/** The delivery is done (sent, given up, or its endpoint gone). */
export async function unschedule(redis: Redis, deliveryId: string): Promise<void> {
  await redis.zrem(webhookKeys.queue, deliveryId);
}

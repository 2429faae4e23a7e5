// Random chat's numbers for the counters (metrics/): how many people search and how many pairs talk, across nodes.
import type { Redis } from "ioredis";
import { PERSON_TTL_MS, randomKeys } from "./keys.ts";
import { REGIONS } from "./preferences.ts";

const QUEUES = REGIONS.flatMap((region) => [randomKeys.queue(region, false), randomKeys.queue(region, true)]);

/** People searching in every queue (an entry of someone whose node died is dropped by the next search that meets it). */
export async function randomQueueLength(redis: Redis): Promise<number> {
  const pipeline = redis.pipeline();
  for (const queue of QUEUES) pipeline.zcard(queue);
  const replies = (await pipeline.exec()) ?? [];
  return replies.reduce((sum, [err, count]) => (err ? sum : sum + Number(count)), 0);
}

/**
 * Matches going on now. A match normally leaves the set when either person leaves (the scripts); one whose people
 * expired with their node (nobody pressed anything) is swept here once older than a person's entry lives.
 */
export async function randomActivePairs(redis: Redis, now = Date.now()): Promise<number> {
  const old = await redis.zrangebyscore(randomKeys.active, 0, now - PERSON_TTL_MS);
  if (old.length > 0) {
    const records = await redis.mget(...old.map(randomKeys.record));
    const people = records.map((raw) => (raw ? (JSON.parse(raw) as { a: { userId: string } }).a.userId : null));
    const pipeline = redis.pipeline();
    for (const userId of people) pipeline.hmget(randomKeys.person(userId ?? "gone"), "state", "match");
    const states = (await pipeline.exec()) ?? [];
    const ended = old.filter((matchId, i) => {
      const [state, match] = (states[i]?.[1] as (string | null)[] | undefined) ?? [];
      return !(state === "matched" && match === matchId);
    });
    if (ended.length > 0) await redis.zrem(randomKeys.active, ...ended);
  }
  return redis.zcard(randomKeys.active);
}

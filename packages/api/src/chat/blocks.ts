// Blocks between two people (PostgreSQL `Block`, one row per blocker -> blocked). A block either way cuts the pair
// off: no messages in their DM and no new DM, no calls, neither sees the other online, and adding one of them to a
// group is an invitation they must accept. Sending must not need the database, so each user's blocked-with set is
// cached in Redis, rewritten from PostgreSQL after every change:
//   chat:blocks:{userId}   set of the user ids blocked with `userId` either way, plus "-" (the set is filled)
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { publishEphemeral } from "./chatEvents.ts";

const TTL_S = 24 * 3600;
const UNKNOWN_TTL_S = 30;
const FILLED = "-";

export const blocksKey = (userId: string) => `chat:blocks:${userId}`;

/** The Prisma filter for people blocked with `userId` either way, from the other person's side. */
export const notBlockedWith = (userId: string) => ({
  blocksMade: { none: { blockedId: userId } },
  blocksReceived: { none: { blockerId: userId } },
});

// a block rewrites the cache after its commit, so a fill from an older read may only create a missing set
const FILL_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

type RedisWithFill = Redis & { chatBlocksFill(key: string, ttl: number, ...members: string[]): Promise<number> };

function withFill(redis: Redis): RedisWithFill {
  const r = redis as RedisWithFill;
  if (typeof r.chatBlocksFill !== "function") redis.defineCommand("chatBlocksFill", { numberOfKeys: 1, lua: FILL_IF_ABSENT });
  return r;
}

async function fromDatabase(db: PrismaClient, userId: string): Promise<Set<string>> {
  const rows = await db.block.findMany({
    where: { OR: [{ blockerId: userId }, { blockedId: userId }] },
    select: { blockerId: true, blockedId: true },
  });
  return new Set(rows.map((row) => (row.blockerId === userId ? row.blockedId : row.blockerId)));
}

async function writeCache(redis: Redis, userId: string, ids: Set<string>): Promise<void> {
  const key = blocksKey(userId);
  await redis
    .multi()
    .del(key)
    .sadd(key, FILLED, ...ids)
    .expire(key, TTL_S)
    .exec();
}

/** The people `userId` is blocked with, either way (cached; read from PostgreSQL when the cache is empty). */
export async function blockedWith(redis: Redis, db: PrismaClient, userId: string): Promise<Set<string>> {
  const cached = await redis.smembers(blocksKey(userId));
  if (cached.length > 0) return new Set(cached.filter((id) => id !== FILLED));
  const ids = await fromDatabase(db, userId);
  await withFill(redis).chatBlocksFill(blocksKey(userId), TTL_S, FILLED, ...ids);
  return ids;
}

/** While the database cannot say (it is down): no blocks known for `userId` for a short while, then asked again. */
export async function assumeNoBlocksBriefly(redis: Redis, userId: string): Promise<void> {
  await withFill(redis).chatBlocksFill(blocksKey(userId), UNKNOWN_TTL_S, FILLED);
}

/** Whether `a` and `b` are blocked either way, asked of PostgreSQL (for changes, which need it anyway). */
export async function isBlockedPair(db: PrismaClient, a: string, b: string): Promise<boolean> {
  const row = await db.block.findFirst({
    where: {
      OR: [
        { blockerId: a, blockedId: b },
        { blockerId: b, blockedId: a },
      ],
    },
    select: { blockerId: true },
  });
  return row !== null;
}

/** Of `others`, those blocked with `userId` either way (PostgreSQL). */
export async function blockedAmong(db: PrismaClient, userId: string, others: string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const rows = await db.block.findMany({
    where: {
      OR: [
        { blockerId: userId, blockedId: { in: others } },
        { blockedId: userId, blockerId: { in: others } },
      ],
    },
    select: { blockerId: true, blockedId: true },
  });
  return new Set(rows.map((row) => (row.blockerId === userId ? row.blockedId : row.blockerId)));
}

/**
 * After a block or unblock (committed): both caches are rewritten and both people's open subscriptions re-read
 * whom they may see online (an ephemeral event: nothing of it is stored or shown).
 */
export async function blocksChanged(redis: Redis, db: PrismaClient, a: string, b: string): Promise<void> {
  const [forA, forB] = await Promise.all([fromDatabase(db, a), fromDatabase(db, b)]);
  await Promise.all([writeCache(redis, a, forA), writeCache(redis, b, forB)]);
  await publishEphemeral(redis, [a, b], { type: "contacts.changed" });
}

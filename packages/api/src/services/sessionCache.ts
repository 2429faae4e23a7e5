// The last token version (with the rest of the session's user) that PostgreSQL confirmed, kept in Redis for
// SESSION_CACHE_MS. Every call still asks PostgreSQL first; only when it is unreachable does the session check
// trust this copy, so open pages keep working through a database restart. A revocation ("sign out
// everywhere") writes the new version here at once, so a revoked session is refused during an outage too.
// Redis key: session:user:{userId}   JSON SessionUser, expires SESSION_CACHE_MS after the last confirmation
import type { Redis } from "ioredis";
import type { SessionUser } from "../trpc.ts";

/** How long a confirmed token version is trusted while PostgreSQL is unreachable (stated in the README). */
export const SESSION_CACHE_MS = 60_000;

export const sessionUserKey = (userId: string) => `session:user:${userId}`;

/**
 * Stores the user unless the copy there has a newer token version: a call that read the old version just before
 * a "sign out everywhere" must not put it back (compare-and-set in one Redis step).
 */
const REMEMBER_UNLESS_NEWER = `
local current = redis.call("GET", KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == "table" and tonumber(stored.tokenVersion) and tonumber(stored.tokenVersion) > tonumber(ARGV[2]) then return 0 end
end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[3])
return 1`;

/** Records what PostgreSQL just said about the session's user (never replacing a newer token version). */
export async function rememberSessionUser(redis: Redis, user: SessionUser): Promise<void> {
  await redis.eval(REMEMBER_UNLESS_NEWER, 1, sessionUserKey(user.id), JSON.stringify(user), String(user.tokenVersion), String(SESSION_CACHE_MS));
}

/** The user as PostgreSQL last confirmed them (within SESSION_CACHE_MS), or null. */
export async function rememberedSessionUser(redis: Redis, userId: string): Promise<SessionUser | null> {
  const json = await redis.get(sessionUserKey(userId));
  return json ? (JSON.parse(json) as SessionUser) : null;
}

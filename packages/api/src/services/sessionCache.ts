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

/** Records what PostgreSQL just said about the session's user. */
export async function rememberSessionUser(redis: Redis, user: SessionUser): Promise<void> {
  await redis.set(sessionUserKey(user.id), JSON.stringify(user), "PX", SESSION_CACHE_MS);
}

/** The user as PostgreSQL last confirmed them (within SESSION_CACHE_MS), or null. */
export async function rememberedSessionUser(redis: Redis, userId: string): Promise<SessionUser | null> {
  const json = await redis.get(sessionUserKey(userId));
  return json ? (JSON.parse(json) as SessionUser) : null;
}

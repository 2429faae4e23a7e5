// After a user's token version was bumped (sign out everywhere, by themselves or by an admin): the outage fallback
// of the session check learns the new version, and every realtime node closes the user's open sockets.
import type { Redis } from "ioredis";
import type { SessionUser } from "../trpc.ts";
import { SESSION_REVOKED_CHANNEL, type SessionRevokedEvent } from "./realtime.ts";
import { rememberSessionUser } from "./sessionCache.ts";

/** Call once the bump is committed, with the user as it now is. */
export async function announceRevocation(redis: Redis, user: SessionUser): Promise<void> {
  // the outage fallback of the session check must not accept the old version either
  await rememberSessionUser(redis, user);
  const event: SessionRevokedEvent = { userId: user.id, tokenVersion: user.tokenVersion };
  await redis.publish(SESSION_REVOKED_CHANNEL, JSON.stringify(event));
}

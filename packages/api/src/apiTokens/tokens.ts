// Personal access tokens: the secret ("qm_" and 32 random bytes, base64url) is shown once and only its SHA-256 is
// stored, so a token is found by hashing what the caller presents. Every call re-reads the token (a revoked or
// expired one is refused at once); revoking also tells every realtime node to close the token's open sockets.
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { logger } from "@qualmeet/log";
import type { SessionUser } from "../trpc.ts";
import type { ApiTokenScope } from "./scopes.ts";

export const API_TOKEN_PREFIX = "qm_";
/** Redis channel: { tokenId } of a token just revoked, for the realtime nodes to close its sockets */
export const API_TOKEN_REVOKED_CHANNEL = "apitoken:revoked";
/** last use is written at most this often per token (a key per token in Redis remembers the last write) */
export const LAST_USE_WRITE_MS = 60_000;
const lastUseKey = (tokenId: string) => `apitoken:lastuse:${tokenId}`;

export interface ApiTokenRevokedEvent {
  tokenId: string;
}

/** A token as a verified call carries it. */
export interface VerifiedApiToken {
  id: string;
  scopes: ApiTokenScope[];
  expiresAt: Date;
}

export function newApiTokenSecret(): { secret: string; tokenHash: string } {
  const secret = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { secret, tokenHash: hashApiToken(secret) };
}

export const hashApiToken = (secret: string): string => createHash("sha256").update(secret).digest("hex");

/** The SHA-256 of an `Authorization: Bearer qm_...` header's token, or null when the header carries none. */
export function bearerTokenHash(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1]?.startsWith(API_TOKEN_PREFIX) ? hashApiToken(match[1]) : null;
}

/** The token with this hash and its user, when it is neither revoked nor expired (the user no guest). */
export async function verifyApiToken({ db, redis }: { db: PrismaClient; redis: Redis }, tokenHash: string): Promise<{ user: SessionUser; token: VerifiedApiToken } | null> {
  const row = await db.apiToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      scopes: true,
      expiresAt: true,
      revokedAt: true,
      user: { select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true } },
    },
  });
  const now = new Date();
  if (!row || row.revokedAt || row.expiresAt <= now || row.user.isGuest) return null;
  await recordUse({ db, redis }, row.id, now);
  return { user: row.user, token: { id: row.id, scopes: row.scopes as ApiTokenScope[], expiresAt: row.expiresAt } };
}

/** Writes lastUsedAt when the token's last write is over a minute old (a busy bot costs one write a minute). */
async function recordUse({ db, redis }: { db: PrismaClient; redis: Redis }, tokenId: string, now: Date): Promise<void> {
  const first = await redis.set(lastUseKey(tokenId), "1", "PX", LAST_USE_WRITE_MS, "NX");
  if (first !== "OK") return;
  await db.apiToken.update({ where: { id: tokenId }, data: { lastUsedAt: now } }).catch((err: unknown) => {
    // the call itself is fine; only the "last used" column lags until the next minute
    logger.warn({ err, tokenId }, "api token: last use not recorded");
  });
}

/** Call once the revocation is committed: open sockets authenticated by the token close on every node. */
export async function announceTokenRevocation(redis: Redis, tokenId: string): Promise<void> {
  const event: ApiTokenRevokedEvent = { tokenId };
  await redis.publish(API_TOKEN_REVOKED_CHANNEL, JSON.stringify(event));
}

// ICE servers for a participant's connections: STUN, and time-limited TURN credentials in coturn's REST API scheme
// (`use-auth-secret`): username "<expiry>:<userId>", password base64(HMAC-SHA1(secret, username)). No long-lived
// TURN password ever reaches a browser. Callers issue them only to someone in a meeting (the join answer,
// room.iceServers after a participation check) or in a random-chat match (the two people of a match, with the
// `matched` event of random.events; a text-only match gets none).
//   TURN_URLS   comma-separated, e.g. "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349"
//   TURN_SECRET the static-auth-secret shared with coturn
//   STUN_URLS   optional; unset, every `turn:` host:port also serves STUN (coturn answers STUN on its TURN port)
// Relays cost bandwidth, so each account gets TURN_DAILY_QUOTA credentials per UTC day (a counter in Redis); beyond
// it the answer is STUN only with a notice: the call still joins, only calls behind strict firewalls may fail.
import { createHmac } from "node:crypto";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { meetingKeys } from "../meeting/keys.ts";
import { serviceMetrics } from "../metrics/serviceMetrics.ts";

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface IceServersGrant {
  iceServers: IceServer[];
  /** how long the TURN credential lasts: the browser fetches fresh ones before then */
  expiresInS: number;
  /** for the person, once: set when today's TURN allowance is used up and only STUN is given */
  relayNotice: string | null;
}

export const RELAY_ALLOWANCE_USED = "You have used today's relay allowance; calls behind strict firewalls may fail.";

export interface TurnSettings {
  turnUrls: string[] | undefined;
  secret: string | undefined;
  stunUrls: string[] | undefined;
  ttlS: number;
  dailyQuota: number;
}

const configured = (): TurnSettings => ({
  turnUrls: env.TURN_URLS,
  secret: env.TURN_SECRET,
  stunUrls: env.STUN_URLS,
  ttlS: env.TURN_CREDENTIAL_TTL_S,
  dailyQuota: env.TURN_DAILY_QUOTA,
});

/** STUN_URLS, or else `stun:` on each distinct host:port of the `turn:` URLs (not `turns:`: browsers do no STUN over TLS). */
export function stunUrls({ turnUrls, stunUrls }: Pick<TurnSettings, "turnUrls" | "stunUrls">): string[] {
  if (stunUrls) return stunUrls;
  const hosts = (turnUrls ?? []).filter((url) => url.startsWith("turn:")).map((url) => url.slice("turn:".length).split("?")[0]!);
  return [...new Set(hosts)].map((host) => `stun:${host}`);
}

/** The TURN REST credential for `userId`, valid `ttlS` from `nowMs`. */
export function turnCredential(userId: string, secret: string, ttlS: number, nowMs: number): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${userId}`;
  return { username, credential: createHmac("sha1", secret).update(username).digest("base64") };
}

/** Seconds from `nowMs` to the next UTC midnight: the quota counter lives until then. */
const untilUtcMidnightS = (nowMs: number) => {
  const midnight = new Date(nowMs);
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.ceil((midnight.getTime() - nowMs) / 1000);
};

/** ICE servers for one participant's connections; a TURN credential counts against the user's daily quota. */
export async function issueIceServers(redis: Redis, userId: string, nowMs = Date.now(), settings: TurnSettings = configured()): Promise<IceServersGrant> {
  const stun: IceServer[] = stunUrls(settings).length ? [{ urls: stunUrls(settings) }] : [];
  const { turnUrls, secret, ttlS } = settings;
  if (!turnUrls || !secret) return { iceServers: stun, expiresInS: ttlS, relayNotice: null };
  const key = meetingKeys.turnQuota(userId);
  const issuedToday = await redis.incr(key);
  await redis.expire(key, untilUtcMidnightS(nowMs));
  if (issuedToday > settings.dailyQuota) {
    serviceMetrics().turnRefused.inc();
    return { iceServers: stun, expiresInS: ttlS, relayNotice: RELAY_ALLOWANCE_USED };
  }
  serviceMetrics().turnIssued.inc();
  return { iceServers: [...stun, { urls: turnUrls, ...turnCredential(userId, secret, ttlS, nowMs) }], expiresInS: ttlS, relayNotice: null };
}

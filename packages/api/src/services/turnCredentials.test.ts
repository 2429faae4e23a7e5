import { createHmac } from "node:crypto";
import type { Redis } from "ioredis";
import { expect, test } from "vitest";
import { issueIceServers, RELAY_ALLOWANCE_USED, stunUrls, type TurnSettings } from "./turnCredentials.ts";

/** Redis's counter commands, kept in memory (the boundary faked; the realtime integration test uses real Redis). */
function fakeRedis() {
  const counters = new Map<string, number>();
  const expiries = new Map<string, number>();
  const redis = {
    async incr(key: string) {
      counters.set(key, (counters.get(key) ?? 0) + 1);
      return counters.get(key)!;
    },
    async expire(key: string, seconds: number) {
      expiries.set(key, seconds);
      return 1;
    },
  };
  return { redis: redis as unknown as Redis, counters, expiries };
}

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const TURN: TurnSettings = {
  turnUrls: ["turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp", "turns:turn.example.org:5349"],
  secret: "shared-secret",
  stunUrls: undefined,
  ttlS: 3600,
  dailyQuota: 3,
};

test("without a TURN server or STUN_URLS, no ICE servers are handed out and nothing is counted", async () => {
  const { redis, counters } = fakeRedis();
  const grant = await issueIceServers(redis, "u1", NOW, { ...TURN, turnUrls: undefined, secret: undefined });
  expect(grant).toEqual({ iceServers: [], expiresInS: 3600, relayNotice: null });
  expect(counters.size).toBe(0);
});

test("STUN on the TURN hosts, and a TURN credential coturn accepts: <expiry>:<userId>, base64 HMAC-SHA1, valid the TTL", async () => {
  const { redis } = fakeRedis();
  const { iceServers, expiresInS, relayNotice } = await issueIceServers(redis, "user-7", NOW, { ...TURN, ttlS: 600 });
  expect(expiresInS).toBe(600);
  expect(relayNotice).toBeNull();
  const [stun, turn] = iceServers;
  expect(stun).toEqual({ urls: ["stun:turn.example.org:3478"] });
  expect(turn!.urls).toEqual(TURN.turnUrls);
  expect(turn!.username).toBe(`${NOW / 1000 + 600}:user-7`);
  expect(turn!.credential).toBe(createHmac("sha1", "shared-secret").update(turn!.username!).digest("base64"));
});

test("STUN_URLS, when set, replaces the derived STUN servers (and is given even without TURN)", async () => {
  expect(stunUrls({ turnUrls: TURN.turnUrls, stunUrls: ["stun:stun.example.net:3478"] })).toEqual(["stun:stun.example.net:3478"]);
  const { redis } = fakeRedis();
  const grant = await issueIceServers(redis, "u1", NOW, { ...TURN, turnUrls: undefined, secret: undefined, stunUrls: ["stun:stun.example.net:3478"] });
  expect(grant.iceServers).toEqual([{ urls: ["stun:stun.example.net:3478"] }]);
});

test("beyond the daily quota: STUN only and the notice; the counter lives until the next UTC midnight; others are unaffected", async () => {
  const { redis, counters, expiries } = fakeRedis();
  for (let i = 0; i < TURN.dailyQuota; i++) {
    const grant = await issueIceServers(redis, "heavy", NOW, TURN);
    expect(grant.iceServers.some((s) => s.credential)).toBe(true);
  }
  const over = await issueIceServers(redis, "heavy", NOW, TURN);
  expect(over.iceServers).toEqual([{ urls: ["stun:turn.example.org:3478"] }]);
  expect(over.relayNotice).toBe(RELAY_ALLOWANCE_USED);
  expect(counters.get("quota:turn:heavy")).toBe(TURN.dailyQuota + 1);
  expect(expiries.get("quota:turn:heavy")).toBe(12 * 3600);

  const other = await issueIceServers(redis, "light", NOW, TURN);
  expect(other.relayNotice).toBeNull();
  expect(other.iceServers.some((s) => s.credential)).toBe(true);
});

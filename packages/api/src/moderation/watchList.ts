// The watch list: a device or address whose behaviour looked automated or abusive (Next loops, reports) must solve
// the proof-of-work challenge (@qualmeet/challenge, as sign-ins and registrations do) before its Start goes through;
// a held one is kept out of matching until a moderator reviews it. Entries are records in PostgreSQL (and in the
// audit log), mirrored in Redis by restrictions.ts.
import type { Redis } from "ioredis";
import { issueChallenge, verifySolution, type ChallengeSubject, type IssuedChallenge } from "@qualmeet/challenge";
import { challengeSecret } from "../env.ts";
import type { RandomPerson } from "../random/contract.ts";
import { addressBlock } from "../services/clientIp.ts";
import { nextStreakKey, passKey, type WatchKind } from "./keys.ts";
import type { SafetyPolicy } from "./policy.ts";
import { WATCH_KINDS, activeWatchEntries, mirrorWatchKey, mirroredState, type StoreDeps } from "./restrictions.ts";

export interface WatchRequest {
  kind: WatchKind;
  value: string;
  reason: string;
  /** held out of matching until a moderator reviews it (else: Starts need a challenge for `forMs`) */
  held: boolean;
  /** null: until a moderator reviews it */
  forMs: number | null;
}

/**
 * Puts a device or address on the watch list (or holds it), unless an entry at least as strong is active already;
 * written with its audit entry, then mirrored. Returns whether a new entry was made.
 */
export async function addToWatchList(deps: StoreDeps, request: WatchRequest): Promise<boolean> {
  const active = await activeWatchEntries(deps.db, request.kind, request.value);
  if (active.some((entry) => entry.held || !request.held)) return false;
  const until = request.forMs === null ? null : new Date(Date.now() + request.forMs);
  await deps.db.$transaction(async (tx) => {
    const entry = await tx.watchEntry.create({
      data: { kind: WATCH_KINDS[request.kind], value: request.value, reason: request.reason, held: request.held, until },
      select: { id: true },
    });
    await tx.auditLog.create({
      data: {
        actorId: null,
        action: request.held ? "moderation.hold" : "moderation.watch",
        targetType: request.kind,
        targetId: request.value,
        data: { watchEntryId: entry.id, reason: request.reason, until: until?.toISOString() ?? null },
      },
    });
  });
  await mirrorWatchKey(deps, request.kind, request.value);
  return true;
}

// Counts the Nexts of a device that come within ARGV[1] ms of its press before (any Start or Next); a Start or a
// slower Next starts the count again. At ARGV[2] in a row it answers 1 and starts again. Redis' clock: every node agrees.
const NEXT_STREAK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap = tonumber(ARGV[1])
local lastAt = tonumber(redis.call('HGET', KEYS[1], 'lastAt') or '0')
local streak = tonumber(redis.call('HGET', KEYS[1], 'streak') or '0')
if ARGV[3] == 'next' and now - lastAt <= gap then streak = streak + 1 else streak = 0 end
local looped = 0
if streak >= tonumber(ARGV[2]) then looped = 1; streak = 0 end
redis.call('HSET', KEYS[1], 'lastAt', now, 'streak', streak)
redis.call('PEXPIRE', KEYS[1], gap * 2)
return looped
`;

type RedisWithStreak = Redis & { randomNextStreak(key: string, gapMs: number, count: number, action: string): Promise<number> };

function withStreakScript(redis: Redis): RedisWithStreak {
  if (typeof (redis as RedisWithStreak).randomNextStreak !== "function") redis.defineCommand("randomNextStreak", { numberOfKeys: 1, lua: NEXT_STREAK });
  return redis as RedisWithStreak;
}

/** Counts a press; true when it completes a Next loop faster than a person can look at whom they were matched with. */
export async function isNextLoop(redis: Redis, deviceId: string, action: "start" | "next", policy: SafetyPolicy): Promise<boolean> {
  return (await withStreakScript(redis).randomNextStreak(nextStreakKey(deviceId), policy.nextLoopGapMs, policy.nextLoopCount, action)) === 1;
}

/** The challenge subject of random chat for one device at one address block. */
export const randomChallengeSubject = (person: RandomPerson): ChallengeSubject => ({ scope: "random", key: `${addressBlock(person.ip)}|${person.deviceId}` });

/** Whether the device solved a challenge lately (its Starts go through while the pass lasts). */
export const hasPass = async (redis: Redis, deviceId: string): Promise<boolean> => (await redis.exists(passKey(deviceId))) === 1;

/** A fresh solution of this person's challenge gives the device a pass for `passForMs`; false when it is not one. */
export async function redeemSolution(redis: Redis, person: RandomPerson, solution: string, policy: SafetyPolicy): Promise<boolean> {
  const check = await verifySolution(redis, solution, randomChallengeSubject(person), { secret: challengeSecret() });
  if (!check.ok) return false;
  await redis.set(passKey(person.deviceId), "1", "PX", policy.passForMs);
  return true;
}

/** A Next loop while the pass lasts: the pass ends, the next press needs another (harder) challenge. */
export const endPass = async (redis: Redis, deviceId: string): Promise<void> => void (await redis.del(passKey(deviceId)));

/** A challenge for the browser to solve before its next Start, when this device or address needs one; else null. */
export async function randomChallenge(deps: StoreDeps, person: RandomPerson, policy: SafetyPolicy): Promise<IssuedChallenge | null> {
  const { watches } = await mirroredState(deps, person, policy.mirrorRefreshMs);
  if (watches.length === 0 || watches.some((w) => w.held) || (await hasPass(deps.redis, person.deviceId))) return null;
  return issueChallenge(deps.redis, randomChallengeSubject(person), { secret: challengeSecret() });
}

// What stands between a password guesser and an account, without handing the guesser a way to lock its owner out.
// Failures are counted per (address block, account): after CHALLENGE_AFTER_FAILURES the sign-ins of that pair need a
// solved proof-of-work challenge (the browser solves it unseen), and after BACKOFF_AFTER_FAILURES each further try
// waits twice as long as the one before. The owner, from their own address, is never slowed by someone else's
// guesses; guesses spread over many addresses only make every sign-in of the account solve a challenge.
import type { Redis } from "ioredis";
import { issueChallenge, verifySolution, type ChallengeSubject, type IssuedChallenge } from "@qualmeet/challenge";
import { challengeSecret } from "../env.ts";
import { addressBlock } from "./clientIp.ts";

export const CHALLENGE_AFTER_FAILURES = 3;
/** failed sign-ins to one account from anywhere after which every sign-in to it needs a challenge */
export const ACCOUNT_CHALLENGE_AFTER_FAILURES = 10;
export const BACKOFF_AFTER_FAILURES = 5;
const FIRST_WAIT_MS = 2_000;
const MAX_WAIT_MS = 15 * 60_000;
/** failures are forgotten this long after the last one */
const FAILURE_MEMORY_S = 60 * 60;

// Redis keys of sign-in failures
/** hash { count, lastAt (ms) } of one address block's failures on one account */
const pairFailuresKey = (block: string, email: string) => `signin:fail:${block}:${email}`;
/** counter of one account's failures from every address */
const accountFailuresKey = (email: string) => `signin:fail:account:${email}`;

const pairOf = (ip: string, email: string) => ({ block: addressBlock(ip), email });

/** The challenge subject of one address block signing in to one account. */
export const signInSubject = (ip: string, email: string): ChallengeSubject => ({ scope: "signin", key: `${addressBlock(ip)}|${email}` });

/** The challenge subject of registrations from one address block (every registration needs one). */
export const registerSubject = (ip: string): ChallengeSubject => ({ scope: "register", key: addressBlock(ip) });

/** How long after `failures` failures the next sign-in of the pair must wait from the last one. */
export function backoffMs(failures: number): number {
  if (failures < BACKOFF_AFTER_FAILURES) return 0;
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - BACKOFF_AFTER_FAILURES));
}

export interface SignInState {
  /** wait this long before trying again (0: go ahead) */
  waitMs: number;
  challengeRequired: boolean;
}

export async function signInState(redis: Redis, ip: string, email: string): Promise<SignInState> {
  const { block } = pairOf(ip, email);
  const [[count, lastAt], account] = await Promise.all([redis.hmget(pairFailuresKey(block, email), "count", "lastAt"), redis.get(accountFailuresKey(email))]);
  const failures = Number(count ?? 0);
  const waitMs = Math.max(0, Number(lastAt ?? 0) + backoffMs(failures) - Date.now());
  return { waitMs, challengeRequired: failures >= CHALLENGE_AFTER_FAILURES || Number(account ?? 0) >= ACCOUNT_CHALLENGE_AFTER_FAILURES };
}

/** A challenge for this sign-in when it needs one, else null. */
export async function signInChallenge(redis: Redis, ip: string, email: string): Promise<IssuedChallenge | null> {
  const { challengeRequired } = await signInState(redis, ip, email);
  return challengeRequired ? issueChallenge(redis, signInSubject(ip, email), { secret: challengeSecret() }) : null;
}

/** Whether `solved` is a fresh solution of a challenge issued for this sign-in. */
export async function signInChallengeSolved(redis: Redis, ip: string, email: string, solved: string | undefined): Promise<boolean> {
  return (await verifySolution(redis, solved, signInSubject(ip, email), { secret: challengeSecret() })).ok;
}

export async function recordSignInFailure(redis: Redis, ip: string, email: string): Promise<void> {
  const { block } = pairOf(ip, email);
  const pair = pairFailuresKey(block, email);
  const account = accountFailuresKey(email);
  await redis.multi().hincrby(pair, "count", 1).hset(pair, "lastAt", Date.now()).expire(pair, FAILURE_MEMORY_S).incr(account).expire(account, FAILURE_MEMORY_S).exec();
}

/** The owner is in: their address starts afresh (others' failures on the account are forgotten too). */
export async function clearSignInFailures(redis: Redis, ip: string, email: string): Promise<void> {
  const { block } = pairOf(ip, email);
  await redis.del(pairFailuresKey(block, email), accountFailuresKey(email));
}

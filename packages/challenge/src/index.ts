// A self-hosted proof-of-work challenge (ALTCHA, altcha-lib): the server issues a signed, expiring puzzle bound to
// one caller (a scope such as "signin" and a key such as address + account); the browser solves it in the background
// (./browser.ts) and sends the solution with its request; the server accepts each solution once. It costs a person a
// moment of their device's time and a script the same for every request, so guessing passwords or registering accounts
// at scale becomes slow. Nothing is sent anywhere else: it works offline.
import { createHmac } from "node:crypto";
import type { Redis } from "ioredis";
import { createChallenge, randomInt, verifySolution as verifyAltcha } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/sha";
import { decodeSolved, type IssuedChallenge } from "./payload.ts";
import { issuedCountKey, usedChallengeKey } from "./keys.ts";

export { type IssuedChallenge } from "./payload.ts";

/** Who the challenge is for: a purpose ("signin", "register", "random") and the caller within it (address, account). */
export interface ChallengeSubject {
  scope: string;
  key: string;
}

export interface ChallengeOptions {
  /** the HMAC secret (from the configuration); the same on every server that verifies */
  secret: string;
}

/** Hashes a first challenge takes on average is half of this: a fraction of a second in a browser. */
export const BASE_DIFFICULTY = 5_000;
/** Each challenge issued to the same caller within ISSUED_WINDOW_S doubles the work, up to 2^MAX_DOUBLINGS times. */
export const MAX_DOUBLINGS = 5;
const ISSUED_WINDOW_S = 15 * 60;
/** Time to solve and send a challenge: a person types their password meanwhile. */
export const CHALLENGE_TTL_S = 5 * 60;

// two keys from the one configured secret: one signs the challenge, the other the expected answer
const subSecret = (secret: string, purpose: string): string => createHmac("sha256", secret).update(`qualmeet-challenge:${purpose}`).digest("hex");

/** The work a caller's next challenge takes: doubles with each one they were given lately. */
export function difficultyFor(issuedBefore: number): number {
  return BASE_DIFFICULTY * 2 ** Math.min(Math.max(0, issuedBefore), MAX_DOUBLINGS);
}

/** A new challenge for `subject`, harder the more challenges it asked for lately. */
export async function issueChallenge(redis: Redis, subject: ChallengeSubject, options: ChallengeOptions): Promise<IssuedChallenge> {
  const countKey = issuedCountKey(subject.scope, subject.key);
  const [[, issued]] = (await redis.multi().incr(countKey).expire(countKey, ISSUED_WINDOW_S).exec()) as [[null, number], unknown];
  const maxCounter = difficultyFor(issued - 1);
  const challenge = await createChallenge({
    algorithm: "SHA-256",
    cost: 1,
    deriveKey,
    // deterministic mode: the answer is a counter below maxCounter, so the expected work grows linearly with it
    counter: randomInt(maxCounter),
    keyPrefixLength: 16,
    expiresAt: Math.floor(Date.now() / 1000) + CHALLENGE_TTL_S,
    data: { scope: subject.scope, key: subject.key },
    hmacSignatureSecret: subSecret(options.secret, "signature"),
    hmacKeySignatureSecret: subSecret(options.secret, "key"),
  });
  return challenge as IssuedChallenge;
}

export type VerifyResult = { ok: true } | { ok: false; reason: "missing" | "malformed" | "other-subject" | "expired" | "wrong" | "used" };

/**
 * Checks a solved challenge (the string the browser sent) for `subject`: signed by us, not expired, solved, issued
 * to this subject, and never accepted before (remembered in Redis until it expires).
 */
export async function verifySolution(redis: Redis, encoded: string | null | undefined, subject: ChallengeSubject, options: ChallengeOptions): Promise<VerifyResult> {
  if (!encoded) return { ok: false, reason: "missing" };
  const solved = decodeSolved(encoded);
  if (!solved) return { ok: false, reason: "malformed" };
  const { challenge, solution } = solved;
  if (challenge.parameters.data.scope !== subject.scope || challenge.parameters.data.key !== subject.key) return { ok: false, reason: "other-subject" };
  const verdict = await verifyAltcha({
    challenge,
    solution,
    deriveKey,
    hmacSignatureSecret: subSecret(options.secret, "signature"),
    hmacKeySignatureSecret: subSecret(options.secret, "key"),
  });
  if (verdict.expired) return { ok: false, reason: "expired" };
  if (!verdict.verified) return { ok: false, reason: "wrong" };
  const remainingMs = Math.max(1000, challenge.parameters.expiresAt * 1000 - Date.now());
  const first = await redis.set(usedChallengeKey(challenge.signature), "1", "PX", remainingMs, "NX");
  return first === "OK" ? { ok: true } : { ok: false, reason: "used" };
}

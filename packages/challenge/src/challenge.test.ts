import type { Redis } from "ioredis";
import { expect, test } from "vitest";
import { BASE_DIFFICULTY, difficultyFor, issueChallenge, verifySolution, type ChallengeSubject } from "./index.ts";
import { solveInBackground } from "./browser.ts";
import { solveInNode } from "./node.ts";
import { decodeSolved, encodeSolved } from "./payload.ts";

/** The few Redis calls the module makes, in memory (expiry is not needed by these tests). */
function fakeRedis(): Redis {
  const values = new Map<string, string>();
  const fake = {
    multi() {
      const ops: Array<() => [null, unknown]> = [];
      const chain = {
        incr(key: string) {
          ops.push(() => {
            const next = Number(values.get(key) ?? 0) + 1;
            values.set(key, String(next));
            return [null, next];
          });
          return chain;
        },
        expire() {
          ops.push(() => [null, 1]);
          return chain;
        },
        exec: async () => ops.map((op) => op()),
      };
      return chain;
    },
    async set(key: string, value: string, ..._options: unknown[]) {
      if (values.has(key)) return null;
      values.set(key, value);
      return "OK";
    },
  };
  return fake as unknown as Redis;
}

const options = { secret: "s".repeat(40) };
const subject: ChallengeSubject = { scope: "signin", key: "203.0.113.7|ann@example.test" };

test("a solved challenge is accepted once; the same solution again is refused", async () => {
  const redis = fakeRedis();
  const solved = await solveInBackground(await issueChallenge(redis, subject, options));
  expect(await verifySolution(redis, solved, subject, options)).toEqual({ ok: true });
  expect(await verifySolution(redis, solved, subject, options)).toEqual({ ok: false, reason: "used" });
});

test("no solution, garbage, a wrong answer, another caller's challenge or a forged one are refused", async () => {
  const redis = fakeRedis();
  expect(await verifySolution(redis, undefined, subject, options)).toEqual({ ok: false, reason: "missing" });
  expect(await verifySolution(redis, "not-a-solution", subject, options)).toEqual({ ok: false, reason: "malformed" });

  const solved = decodeSolved(await solveInBackground(await issueChallenge(redis, subject, options)))!;
  // the answer is the key the counter derives: one only finds it by doing the work
  const wrongAnswer = encodeSolved({ ...solved, solution: { ...solved.solution, derivedKey: "0".repeat(64) } });
  expect(await verifySolution(redis, wrongAnswer, subject, options)).toEqual({ ok: false, reason: "wrong" });

  const other = { scope: "signin", key: "198.51.100.1|ann@example.test" };
  expect(await verifySolution(redis, encodeSolved(solved), other, options)).toEqual({ ok: false, reason: "other-subject" });
  expect(await verifySolution(redis, encodeSolved(solved), subject, { secret: "t".repeat(40) })).toEqual({ ok: false, reason: "wrong" });

  // a challenge a client made easier for itself breaks the signature
  const easier = { ...solved.challenge, parameters: { ...solved.challenge.parameters, expiresAt: solved.challenge.parameters.expiresAt + 3600 } };
  expect(await verifySolution(redis, encodeSolved({ ...solved, challenge: easier }), subject, options)).toEqual({ ok: false, reason: "wrong" });
});

test("an expired challenge is refused", async () => {
  const redis = fakeRedis();
  const solved = decodeSolved(await solveInBackground(await issueChallenge(redis, subject, options)))!;
  const expired = { ...solved.challenge, parameters: { ...solved.challenge.parameters, expiresAt: Math.floor(Date.now() / 1000) - 1 } };
  expect(await verifySolution(redis, encodeSolved({ ...solved, challenge: expired }), subject, options)).toEqual({ ok: false, reason: "expired" });
});

test("each challenge a caller asks for lately takes more work, up to a cap; other callers start again", async () => {
  expect(difficultyFor(0)).toBe(BASE_DIFFICULTY);
  expect(difficultyFor(1)).toBe(2 * BASE_DIFFICULTY);
  expect(difficultyFor(50)).toBe(difficultyFor(5));
  const redis = fakeRedis();
  const answers: number[] = [];
  // the answer is a random counter below the difficulty: many challenges show its range
  for (let i = 0; i < 8; i++) {
    const solved = decodeSolved(await solveInNode(await issueChallenge(redis, subject, options)))!;
    answers.push(solved.solution.counter);
  }
  expect(answers.slice(0, 1).every((n) => n < difficultyFor(0))).toBe(true);
  expect(answers.every((n, i) => n < difficultyFor(i))).toBe(true);
  expect(Math.max(...answers.slice(5))).toBeGreaterThanOrEqual(difficultyFor(0));
  const fresh = decodeSolved(await solveInNode(await issueChallenge(redis, { scope: "signin", key: "other" }, options)))!;
  expect(fresh.solution.counter).toBeLessThan(difficultyFor(0));
});

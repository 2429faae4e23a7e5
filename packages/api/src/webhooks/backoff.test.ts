import { expect, test } from "vitest";
import { nextAttemptAt, retryDelay } from "./backoff.ts";

const policy = { baseMs: 10_000, maxMs: 3_600_000, retryForMs: 86_400_000 };

test("the pause doubles with every failed attempt, up to the cap", () => {
  const middle = () => 0.5;
  expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, policy, middle))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
  expect(retryDelay(20, policy, middle)).toBe(3_600_000);
  expect(retryDelay(10_000, policy, middle)).toBe(3_600_000);
});

test("jitter moves a pause by at most 20% either way", () => {
  expect(retryDelay(3, policy, () => 0)).toBe(32_000);
  expect(retryDelay(3, policy, () => 0.999_999)).toBe(48_000);
});

test("attempts stop 24 hours after the event", () => {
  const created = 0;
  expect(nextAttemptAt(1, created, 1000, policy, () => 0.5)).toBe(11_000);
  expect(nextAttemptAt(30, created, 86_400_000 - 3_600_000, policy, () => 0.5)).toBe(86_400_000);
  expect(nextAttemptAt(30, created, 86_400_000 - 1000, policy, () => 0.5)).toBeNull();
});

test("a day of failures with the defaults is about 30 attempts", () => {
  let now = 0;
  let attempts = 0;
  for (;;) {
    attempts++;
    const next = nextAttemptAt(attempts, 0, now, policy, () => 0.5);
    if (next === null) break;
    now = next;
  }
  expect(attempts).toBeGreaterThan(25);
  expect(attempts).toBeLessThan(35);
});

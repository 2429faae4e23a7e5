import { expect, test } from "vitest";
import { BACKOFF_AFTER_FAILURES, backoffMs, registerSubject, signInSubject } from "./signInGuard.ts";

test("no wait for the first failures, then each failure doubles the wait, up to a quarter of an hour", () => {
  for (let failures = 0; failures < BACKOFF_AFTER_FAILURES; failures++) expect(backoffMs(failures)).toBe(0);
  const waits = [0, 1, 2, 3].map((extra) => backoffMs(BACKOFF_AFTER_FAILURES + extra));
  expect(waits[0]).toBeGreaterThan(0);
  for (let i = 1; i < waits.length; i++) expect(waits[i]).toBe(2 * waits[i - 1]!);
  expect(backoffMs(100)).toBe(15 * 60_000);
});

test("a challenge is bound to the address block and the account: an IPv6 client's /64 is one caller", () => {
  expect(signInSubject("2001:db8:1:2::5", "ann@example.test")).toEqual(signInSubject("2001:db8:1:2:ffff::9", "ann@example.test"));
  expect(signInSubject("2001:db8:1:3::5", "ann@example.test")).not.toEqual(signInSubject("2001:db8:1:2::5", "ann@example.test"));
  expect(signInSubject("203.0.113.7", "ann@example.test")).not.toEqual(signInSubject("203.0.113.7", "bob@example.test"));
  expect(registerSubject("2001:db8:1:2::5")).toEqual(registerSubject("2001:db8:1:2::6"));
});

import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import { bearerTokenHash, newApiTokenSecret } from "./tokens.ts";

test("a new secret is qm_ and 32 random bytes, and its hash is its SHA-256", () => {
  const { secret, tokenHash } = newApiTokenSecret();
  expect(secret).toMatch(/^qm_[A-Za-z0-9_-]{43}$/);
  expect(tokenHash).toBe(createHash("sha256").update(secret).digest("hex"));
  expect(newApiTokenSecret().secret).not.toBe(secret);
});

test("only an Authorization header with a Bearer qm_ token names a token", () => {
  const { secret, tokenHash } = newApiTokenSecret();
  expect(bearerTokenHash(`Bearer ${secret}`)).toBe(tokenHash);
  expect(bearerTokenHash(`bearer   ${secret} `)).toBe(tokenHash);
  expect(bearerTokenHash(`Basic ${secret}`)).toBeNull();
  expect(bearerTokenHash("Bearer some-other-token")).toBeNull();
  expect(bearerTokenHash(null)).toBeNull();
  expect(bearerTokenHash(undefined)).toBeNull();
});

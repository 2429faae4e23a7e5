import { expect, test } from "vitest";
import { decryptSecret, encryptSecret, newWebhookSecret } from "./secrets.ts";

const master = "m".repeat(43);

test("a secret is whsec_ and 32 random bytes; stored encrypted, it reads back only with the same master secret", () => {
  const secret = newWebhookSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  const stored = encryptSecret(secret, master);
  expect(stored).not.toContain(secret.slice(6));
  expect(encryptSecret(secret, master)).not.toBe(stored);
  expect(decryptSecret(stored, master)).toBe(secret);
  expect(() => decryptSecret(stored, "o".repeat(43))).toThrow();
  const [version, iv, tag, ciphertext] = stored.split(".");
  const flipped = Buffer.from(ciphertext!, "base64url");
  flipped[0]! ^= 1;
  expect(() => decryptSecret([version, iv, tag, flipped.toString("base64url")].join("."), master)).toThrow();
});

// An endpoint's signing secret ("whsec_" and 32 random bytes, base64url) is shown to its owner once. The server must
// sign with it, so it cannot be hashed: it is stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256)
// from NEXTAUTH_SECRET, which the web app and every realtime node share. Changing NEXTAUTH_SECRET makes the stored
// secrets unreadable: each endpoint then needs "Rotate secret".
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "@qualmeet/config";

export const WEBHOOK_SECRET_PREFIX = "whsec_";
const VERSION = "v1";

const keyFrom = (masterSecret: string): Buffer => Buffer.from(hkdfSync("sha256", masterSecret, "qualmeet", "webhook endpoint secrets", 32));

export const newWebhookSecret = (): string => WEBHOOK_SECRET_PREFIX + randomBytes(32).toString("base64url");

export function encryptSecret(secret: string, masterSecret: string = env.NEXTAUTH_SECRET): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(masterSecret), iv);
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

/** The secret back; throws when the text was changed or another master secret made it. */
export function decryptSecret(stored: string, masterSecret: string = env.NEXTAUTH_SECRET): string {
  const [version, iv, tag, ciphertext] = stored.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("webhook secret: not a stored secret");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(masterSecret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

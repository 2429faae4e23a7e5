// What travels between the browser and the server: a challenge as issued, and a solved one as one string
// (a form field of next-auth's sign-in, a field of a tRPC input). Shared by the server and the browser.
import { z } from "zod";

const parameters = z.object({
  algorithm: z.literal("SHA-256"),
  nonce: z.string().regex(/^[0-9a-f]{1,128}$/),
  salt: z.string().regex(/^[0-9a-f]{1,128}$/),
  cost: z.number().int().positive().max(16),
  keyLength: z.number().int().positive().max(64),
  keyPrefix: z.string().regex(/^[0-9a-f]{1,128}$/),
  keySignature: z.string().max(256).optional(),
  expiresAt: z.number().int().positive(),
  data: z.object({ scope: z.string().max(64), key: z.string().max(512) }),
});

export const issuedChallenge = z.object({ parameters, signature: z.string().min(1).max(256) });
/** A challenge as the server issues it: signed, expiring, bound to one scope and key. */
export type IssuedChallenge = z.infer<typeof issuedChallenge>;

export const solvedChallenge = z.object({
  challenge: issuedChallenge,
  solution: z.object({ counter: z.number().int().nonnegative().max(0xffffffff), derivedKey: z.string().regex(/^[0-9a-f]{1,256}$/) }),
});
export type SolvedChallenge = z.infer<typeof solvedChallenge>;

/** A solved challenge as one string (base64url JSON): what the browser sends. */
export const encodeSolved = (solved: SolvedChallenge): string => {
  const bytes = new TextEncoder().encode(JSON.stringify(solved));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/** The solved challenge in `encoded`, or null when it is not one (any shape, any garbage). */
export function decodeSolved(encoded: string): SolvedChallenge | null {
  if (encoded.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  try {
    const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const parsed = solvedChallenge.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

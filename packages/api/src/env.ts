// Settings derived from the configuration (@qualmeet/config), and the session's lifetime.
import { createHmac } from "node:crypto";
import { env } from "@qualmeet/config";

export const SESSION_MAX_AGE_S = 7 * 24 * 60 * 60;

/** An https:// web app sets its session cookie `Secure` (under the `__Secure-` name). */
export const useSecureCookies = (): boolean => env.NEXTAUTH_URL.startsWith("https://");

/** Signs proof-of-work challenges: CHALLENGE_SECRET, else a key derived from NEXTAUTH_SECRET (never that itself). */
export const challengeSecret = (): string => env.CHALLENGE_SECRET ?? createHmac("sha256", env.NEXTAUTH_SECRET).update("qualmeet challenge").digest("hex");

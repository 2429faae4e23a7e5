// Settings derived from the configuration (@qualmeet/config), and the session's lifetime.
import { env } from "@qualmeet/config";

export const SESSION_MAX_AGE_S = 7 * 24 * 60 * 60;

/** An https:// web app sets its session cookie `Secure` (under the `__Secure-` name). */
export const useSecureCookies = (): boolean => env.NEXTAUTH_URL.startsWith("https://");

/**
 * The old shape of the settings, for services/session.ts and router/room.ts only: they move on another branch
 * and read `env` after the merge, and this goes with them.
 */
export const serverEnv = {
  get sessionSecret(): string {
    return env.NEXTAUTH_SECRET;
  },
  get useSecureCookies(): boolean {
    return useSecureCookies();
  },
  rateLimits: {
    get chatPer10Seconds(): number {
      return env.RATE_LIMIT_CHAT_PER_10S;
    },
    get signalsPer10Seconds(): number {
      return env.RATE_LIMIT_SIGNALS_PER_10S;
    },
  },
};

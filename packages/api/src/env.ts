// Settings derived from the configuration (@qualmeet/config), and the session's lifetime.
import { env } from "@qualmeet/config";

export const SESSION_MAX_AGE_S = 7 * 24 * 60 * 60;

/** An https:// web app sets its session cookie `Secure` (under the `__Secure-` name). */
export const useSecureCookies = (): boolean => env.NEXTAUTH_URL.startsWith("https://");

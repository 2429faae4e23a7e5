// Reads the next-auth session cookie (JWT strategy, encrypted with NEXTAUTH_SECRET) from a Cookie header.
// One reader for both transports: the web app's HTTP requests and the realtime server's WebSocket upgrade.
import { decode } from "next-auth/jwt";
import { env } from "@qualmeet/config";
import { useSecureCookies } from "../env.ts";

export interface SessionClaims {
  userId: string;
  /** the user's token version when the session was issued; a higher version in the database revokes it */
  tokenVersion: number;
  /** epoch ms when the cookie expires (renewed by the web app while the user is active) */
  expiresAt: number;
}

export const sessionCookieName = (secure: boolean): string => (secure ? "__Secure-next-auth.session-token" : "next-auth.session-token");

export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

/** next-auth splits tokens above ~4 KB into `name.0`, `name.1`, ...: join them back. */
function sessionToken(cookies: Map<string, string>, name: string): string | null {
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks = [...cookies.entries()]
    .filter(([key]) => key.startsWith(`${name}.`) && /^\d+$/.test(key.slice(name.length + 1)))
    .sort(([a], [b]) => Number(a.slice(name.length + 1)) - Number(b.slice(name.length + 1)));
  return chunks.length ? chunks.map(([, value]) => value).join("") : null;
}

/** The session in a Cookie header, or null when there is none or it is expired or tampered with. */
export async function readSession(cookieHeader: string | null | undefined): Promise<SessionClaims | null> {
  const token = sessionToken(parseCookieHeader(cookieHeader), sessionCookieName(useSecureCookies()));
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: env.NEXTAUTH_SECRET });
    if (!payload || typeof payload.uid !== "string" || typeof payload.tv !== "number") return null;
    const expiresAt = typeof payload.exp === "number" ? payload.exp * 1000 : Date.now();
    if (expiresAt <= Date.now()) return null;
    return { userId: payload.uid, tokenVersion: payload.tv, expiresAt };
  } catch {
    return null;
  }
}

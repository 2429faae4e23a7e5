// Time-limited TURN credentials (coturn's REST API scheme, `use-auth-secret`): username "<expiry>:<userId>",
// password base64(HMAC-SHA1(secret, username)). No long-lived TURN password ever reaches a browser.
//   TURN_URLS   comma-separated, e.g. "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349"
//   TURN_SECRET the static-auth-secret shared with coturn
import { createHmac } from "node:crypto";

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export const TURN_CREDENTIAL_TTL_S = 3600;

export function turnCredentials(userId: string, nowMs = Date.now()): { iceServers: IceServer[]; expiresInS: number } {
  const urls = (process.env.TURN_URLS ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  const secret = process.env.TURN_SECRET;
  if (urls.length === 0 || !secret) return { iceServers: [], expiresInS: TURN_CREDENTIAL_TTL_S };
  const username = `${Math.floor(nowMs / 1000) + TURN_CREDENTIAL_TTL_S}:${userId}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { iceServers: [{ urls, username, credential }], expiresInS: TURN_CREDENTIAL_TTL_S };
}

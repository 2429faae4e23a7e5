// Time-limited TURN credentials (coturn's REST API scheme, `use-auth-secret`): username "<expiry>:<userId>",
// password base64(HMAC-SHA1(secret, username)). No long-lived TURN password ever reaches a browser.
//   TURN_URLS   comma-separated, e.g. "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349"
//   TURN_SECRET the static-auth-secret shared with coturn
import { createHmac } from "node:crypto";
import { env } from "@qualmeet/config";

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export const TURN_CREDENTIAL_TTL_S = 3600;

export interface TurnServer {
  urls: string[] | undefined;
  secret: string | undefined;
}

export function turnCredentials(
  userId: string,
  nowMs = Date.now(),
  { urls, secret }: TurnServer = { urls: env.TURN_URLS, secret: env.TURN_SECRET },
): { iceServers: IceServer[]; expiresInS: number } {
  if (!urls || !secret) return { iceServers: [], expiresInS: TURN_CREDENTIAL_TTL_S };
  const username = `${Math.floor(nowMs / 1000) + TURN_CREDENTIAL_TTL_S}:${userId}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { iceServers: [{ urls, username, credential }], expiresInS: TURN_CREDENTIAL_TTL_S };
}

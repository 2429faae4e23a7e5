// @qualmeet/client in Node: the same clients, the realtime socket opened with the `ws` package so it can carry a
// personal access token (Authorization: Bearer qm_...) or a cookie in its upgrade request, which a browser's
// WebSocket cannot send.
import WebSocket from "ws";
import { qualmeetClientWith, type QualmeetClient, type QualmeetClientOptions } from "./qualmeetClient.ts";
import { createRealtimeConnection as connectWith, type RealtimeConnection, type RealtimeConnectionOptions, type WebSocketClass } from "./realtime.ts";
import { bearer } from "./token.ts";

export * from "./index.ts";
// bots (MeetingBot: a meeting participant through plain RTP, with ffmpeg) run in Node only
export * from "./bot/index.ts";

export interface NodeSocketAuth {
  /** a personal access token (`qm_...`): the socket is its owner's, limited to its scopes */
  token?: string;
  /** a Cookie header (a signed-in session) instead of a token */
  cookie?: string;
  /** the Origin header; the server checks it for cookie sockets, as it does for browser pages */
  origin?: string;
  /** more headers for the upgrade request */
  headers?: Record<string, string>;
}

/** A WebSocket class (the `ws` package's) whose upgrade request carries these credentials. */
export function nodeWebSocket(auth: NodeSocketAuth): WebSocketClass {
  const headers: Record<string, string> = { ...auth.headers };
  if (auth.token) headers.authorization = bearer(auth.token);
  else if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.origin) headers.origin = auth.origin;
  class AuthenticatedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  return AuthenticatedWebSocket as unknown as WebSocketClass;
}

/** The realtime client on a socket authenticated by `token` (or `cookie`). */
export function createRealtimeConnection(options: RealtimeConnectionOptions & NodeSocketAuth): RealtimeConnection {
  const { token, cookie, origin, headers, ...rest } = options;
  return connectWith({ ...rest, WebSocket: rest.WebSocket ?? nodeWebSocket({ token, cookie, origin, headers }) });
}

/** Both clients with one token: HTTP calls and the socket are the token owner's. */
export function createQualmeetClient(options: QualmeetClientOptions & Omit<NodeSocketAuth, "token">): QualmeetClient {
  const { cookie, origin, headers, ...rest } = options;
  return qualmeetClientWith(rest, (connection) => createRealtimeConnection({ ...connection, token: options.token, cookie, origin, headers }));
}

// @qualmeet/client: typed clients of QualMeet's web app (HTTP) and realtime server (WebSocket), for browsers and
// Node. Node scripts that authenticate the socket with a token import "@qualmeet/client/node".
export { createWebClient, webLink, type WebClientOptions } from "./web.ts";
export {
  createRealtimeConnection,
  createRealtimeSocket,
  realtimeLink,
  reconnectBackoff,
  type RealtimeConnection,
  type RealtimeConnectionOptions,
  type RealtimeState,
  type RealtimeStatus,
  type WebSocketClass,
} from "./realtime.ts";
export { createQualmeetClient, type QualmeetClient, type QualmeetClientOptions } from "./qualmeetClient.ts";
export { closeRefusalOf, errorMessage, fieldErrors, refusalOf, withRefusals, type Refusable, type Refusal } from "./refusals.ts";
export type * from "./types.ts";
export type { TRPCClient } from "@trpc/client";

// Both servers' clients at once, with one way to close them: what a script or a page usually wants.
import type { TRPCClient } from "@trpc/client";
import type { AppRouter, RealtimeRouter } from "@qualmeet/api";
import { createRealtimeConnection, type RealtimeConnection, type RealtimeConnectionOptions, type RealtimeState } from "./realtime.ts";
import { createWebClient, type WebClientOptions } from "./web.ts";

export interface QualmeetClientOptions extends Omit<RealtimeConnectionOptions, "url"> {
  /** the web app's address; empty for the page's own origin */
  webUrl?: string;
  /** the realtime server's WebSocket URL */
  realtimeUrl: string;
  /** a personal access token (`qm_...`) for the HTTP calls (in Node, `@qualmeet/client/node` uses it for the socket too) */
  token?: string;
  /** options of the HTTP client other than its address and token */
  web?: Omit<WebClientOptions, "url" | "token">;
}

export interface QualmeetClient {
  /** the web app's HTTP procedures */
  web: TRPCClient<AppRouter>;
  /** the realtime server's procedures and subscriptions */
  realtime: TRPCClient<RealtimeRouter>;
  /** the realtime socket's state now */
  realtimeState(): RealtimeState;
  /** closes the realtime socket (the HTTP client holds nothing open) */
  close(): Promise<void>;
}

/** The two clients, the realtime one made by `connect` (the browser's WebSocket or Node's with headers). */
export function qualmeetClientWith(options: QualmeetClientOptions, connect: (options: RealtimeConnectionOptions) => RealtimeConnection): QualmeetClient {
  const { webUrl, realtimeUrl, token, web: webOptions, ...realtimeOptions } = options;
  const web = createWebClient({ ...webOptions, url: webUrl, token });
  const realtime = connect({ ...realtimeOptions, url: realtimeUrl });
  return { web, realtime: realtime.client, realtimeState: realtime.state, close: realtime.close };
}

/** Both clients, in a browser: the socket authenticates with the page's cookie. */
export function createQualmeetClient(options: QualmeetClientOptions): QualmeetClient {
  return qualmeetClientWith(options, createRealtimeConnection);
}

// The typed client of the realtime server (WebSocket), from @qualmeet/client. Created lazily, in the browser only,
// with the URL the server component read from REALTIME_PUBLIC_URL (so it can change without a rebuild).
import { createRealtimeConnection, type RealtimeConnection, type RealtimeState, type TRPCClient } from "@qualmeet/client";
import { create } from "zustand";
import type { RealtimeRouter } from "@qualmeet/api";

export type { RealtimeStatus } from "@qualmeet/client";

/**
 * Connection state of the realtime socket, for components that show or hide live features, and why the server
 * last refused or closed it (its close reason names the limit), until the socket opens again.
 */
export const useRealtimeStatus = create<RealtimeState>(() => ({ status: "connecting", refusal: null }));

let current: { url: string; connection: RealtimeConnection } | null = null;

export function getRealtimeClient(url: string): TRPCClient<RealtimeRouter> {
  if (typeof window === "undefined") throw new Error("The realtime client runs in the browser only.");
  if (current && current.url === url) return current.connection.client;
  void current?.connection.close();
  const connection = createRealtimeConnection({
    url,
    // connect while something is subscribed, close 10 s after the last subscription ends
    lazy: { closeMs: 10_000 },
    onStateChange: (state) => useRealtimeStatus.setState(state),
  });
  current = { url, connection };
  return connection.client;
}

// The typed client of the realtime server (WebSocket). Created lazily, in the browser only, with the URL
// the server component read from REALTIME_PUBLIC_URL (so it can change without a rebuild).
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import { create } from "zustand";
import type { RealtimeRouter } from "@qualmeet/api";

export type RealtimeStatus = "connecting" | "open" | "closed";

/**
 * Connection state of the realtime socket, for components that show or hide live features, and why the server
 * last refused or closed it (its close reason names the limit), until the socket opens again.
 */
export const useRealtimeStatus = create<{ status: RealtimeStatus; refusal: string | null }>(() => ({ status: "connecting", refusal: null }));

/** The realtime server's own close codes (4000-4999) carry a reason written for people; others do not. */
export const refusalOf = (event: { code: number; reason: string }): string | null => (event.code >= 4000 && event.code < 5000 && event.reason ? event.reason : null);

/**
 * The browser's WebSocket, remembering the server's close reason: tRPC's `onClose` passes the code only, and
 * "too many connections (limit 20)" is what a person needs to read.
 */
class ReasonedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener("close", (event) => {
      const refusal = refusalOf(event);
      if (refusal) useRealtimeStatus.setState({ refusal });
    });
  }
}

let client: { url: string; trpc: TRPCClient<RealtimeRouter>; close: () => void } | null = null;

export function getRealtimeClient(url: string): TRPCClient<RealtimeRouter> {
  if (typeof window === "undefined") throw new Error("The realtime client runs in the browser only.");
  if (client && client.url === url) return client.trpc;
  client?.close();
  const set = (status: RealtimeStatus) => useRealtimeStatus.setState(status === "open" ? { status, refusal: null } : { status });
  const ws = createWSClient({
    url,
    WebSocket: ReasonedWebSocket,
    // 0.5 s, 1 s, 2 s ... capped at 30 s: a missing realtime server costs little
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 30_000),
    // connect while something is subscribed, close 10 s after the last subscription ends
    lazy: { enabled: true, closeMs: 10_000 },
    keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 10_000 },
    onOpen: () => set("open"),
    onClose: () => set("closed"),
    onError: () => set("closed"),
  });
  const trpc = createTRPCClient<RealtimeRouter>({ links: [wsLink({ client: ws, transformer: superjson })] });
  client = { url, trpc, close: () => void ws.close() };
  return trpc;
}

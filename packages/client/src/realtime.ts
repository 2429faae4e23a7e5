// The realtime server's procedures over one WebSocket (tRPC's wsLink): reconnection with backoff, subscriptions
// that resume where they stopped (the server's events are tracked: on a new socket the client resends the last
// event id it saw and the server replays what came after), and the server's close reasons kept for people.
import { createTRPCClient, createWSClient, wsLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import superjson from "superjson";
import type { RealtimeRouter } from "@qualmeet/api";
import { closeRefusalOf } from "./refusals.ts";

export type RealtimeStatus = "connecting" | "open" | "closed";

export interface RealtimeState {
  status: RealtimeStatus;
  /** why the server last refused or closed the socket (its close reason), until the socket opens again */
  refusal: string | null;
}

/** A WebSocket class as the browser has it (the `ws` package's class fits too). */
export type WebSocketClass = typeof globalThis.WebSocket;

export interface RealtimeConnectionOptions {
  /** the realtime server's WebSocket URL, e.g. `wss://meet.example.com/rt` */
  url: string;
  /**
   * the WebSocket class (default: the global one, which authenticates with the browser's cookie). A token needs
   * one that sends headers: `@qualmeet/client/node` passes it.
   */
  WebSocket?: WebSocketClass;
  /** called when the socket connects, opens or closes, and with the server's reason when it refuses the socket */
  onStateChange?: (state: RealtimeState) => void;
  /** wait before reconnect attempt n (0, 1, ...); default 0.5 s doubling to 30 s */
  retryDelayMs?: (attempt: number) => number;
  /** open the socket only while something is subscribed or waiting for an answer; close it `closeMs` after */
  lazy?: { closeMs: number };
  /** ping every `intervalMs`; a socket without a pong within `pongTimeoutMs` is dropped and reconnected */
  keepAlive?: { intervalMs: number; pongTimeoutMs: number } | false;
}

export interface RealtimeConnection {
  /** a typed client of the realtime procedures (`client.chat.send.mutate(...)`, `client.room.events.subscribe(...)`) */
  client: TRPCClient<RealtimeRouter>;
  /** the socket's state now */
  state(): RealtimeState;
  /** closes the socket for good (subscriptions end, nothing reconnects) */
  close(): Promise<void>;
}

/** 0.5 s, 1 s, 2 s ... capped at 30 s: a missing realtime server costs little. */
export const reconnectBackoff = (attempt: number): number => Math.min(500 * 2 ** attempt, 30_000);

const DEFAULT_KEEP_ALIVE = { intervalMs: 20_000, pongTimeoutMs: 10_000 };

/**
 * The WebSocket class with the server's close reason reported: tRPC's `onClose` passes the code only, and "too many
 * connections (limit 20)" is what a person needs to read.
 */
function reportingCloseReasons(Base: WebSocketClass, onRefusal: (reason: string) => void): WebSocketClass {
  return class extends Base {
    constructor(url: string | URL, protocols?: ConstructorParameters<WebSocketClass>[1]) {
      super(url, protocols);
      this.addEventListener("close", (event) => {
        const refusal = closeRefusalOf(event);
        if (refusal) onRefusal(refusal);
      });
    }
  };
}

/** The socket (tRPC's WebSocket client) and its state, for `realtimeLink` or `createRealtimeConnection`. */
export function createRealtimeSocket(options: RealtimeConnectionOptions): { socket: ReturnType<typeof createWSClient>; state: () => RealtimeState } {
  const Base = options.WebSocket ?? globalThis.WebSocket;
  if (!Base) throw new Error("No WebSocket here: pass one (in Node, use @qualmeet/client/node).");
  let state: RealtimeState = { status: "connecting", refusal: null };
  const set = (next: Partial<RealtimeState>) => {
    state = { ...state, ...next };
    options.onStateChange?.(state);
  };
  const keepAlive = options.keepAlive === false ? undefined : { enabled: true, ...(options.keepAlive ?? DEFAULT_KEEP_ALIVE) };
  const socket = createWSClient({
    url: options.url,
    WebSocket: reportingCloseReasons(Base, (refusal) => set({ refusal })),
    retryDelayMs: options.retryDelayMs ?? reconnectBackoff,
    ...(options.lazy ? { lazy: { enabled: true, closeMs: options.lazy.closeMs } } : {}),
    ...(keepAlive ? { keepAlive } : {}),
    onOpen: () => set({ status: "open", refusal: null }),
    onClose: () => set({ status: "closed" }),
    onError: () => set({ status: "closed" }),
  });
  return { socket, state: () => state };
}

/** The tRPC link for the realtime procedures over `socket`, for a client you compose yourself. */
export function realtimeLink(socket: ReturnType<typeof createWSClient>): TRPCLink<RealtimeRouter> {
  return wsLink<RealtimeRouter>({ client: socket, transformer: superjson });
}

/** A typed client of the realtime server on one socket, reconnecting and resuming its subscriptions by itself. */
export function createRealtimeConnection(options: RealtimeConnectionOptions): RealtimeConnection {
  const { socket, state } = createRealtimeSocket(options);
  const client = createTRPCClient<RealtimeRouter>({ links: [realtimeLink(socket)] });
  return { client, state, close: () => socket.close() };
}

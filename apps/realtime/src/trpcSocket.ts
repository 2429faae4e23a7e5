// tRPC over WebSocket for the realtime node: the protocol of @trpc/server's `applyWSSHandler` (JSON-RPC-like
// messages, superjson, subscriptions with tracked() ids, keep-alive PING/PONG, reconnect notification), with two
// changes for the room fan-out, where one event goes to many sockets:
//   - a subscription's context carries an `eventSink` that writes tracked events already serialized once per
//     node (MeetingEventLog) to this socket, instead of each subscriber's generator, superjson and JSON.stringify;
//     the WebSocket frame itself is encoded once per event for all the subscriptions whose frames are the same
//     bytes (the same subscription id: clients number their requests alike), as Socket.IO does for a broadcast;
//   - writes are corked per socket until the end of the event-loop turn (writeBatching.ts);
// and limits on what one socket may ask at once: requests per message (a tRPC batch is a JSON array) and live
// subscriptions, so one client cannot make the node hold unbounded work for it.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket, WebSocketServer } from "ws";
import {
  Unpromise,
  getProcedureAtPath,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isTrackedEnvelope,
  parseTRPCMessage,
  transformTRPCResponse,
  TRPCError,
  type AnyRouter,
  type ProcedureCallOptions,
  type ProcedureType,
  type TRPCClientOutgoingMessage,
  type TRPCRequestMessage,
  type TRPCResponseMessage,
  type inferRouterContext,
} from "@trpc/server/unstable-core-do-not-import";
import { requestTraceparent, withRemoteParent } from "@qualmeet/api/tracing";
import { serviceMetrics } from "@qualmeet/api/metrics";
import type { RealtimeServices, SharedTrackedEvent } from "@qualmeet/api/realtime";
import { CloseCode } from "./socketLimits.ts";
import { corkForTurn } from "./writeBatching.ts";

/** The calls whose answer time is the signaling round trip (meeting signals, media transports, producers, consumers). */
const SIGNALING = /^(room|media)\./;

const OPEN = 1;

/**
 * A whole WebSocket text frame (header and payload in one buffer, unmasked as a server's frames are): one write
 * to the socket, and for a room event one encoding shared by every subscriber whose frame is the same bytes.
 */
function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, headerLength);
  return frame;
}

interface WsInternals {
  _socket?: Socket;
  _sender?: { _queue?: unknown[]; _state?: number };
}

/**
 * Writes a frame to the client's socket, corked until the end of the event-loop turn (frames to one socket in
 * one turn leave in one write). ws writes its own frames to the socket at once unless it is compressing (this
 * server does not) or reading a Blob (it sends none): when its queue is not empty, this answers false and the
 * caller sends the text through ws.
 */
function writeFrame(ws: WebSocket, frame: Buffer): boolean {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (!socket || !sender || !Array.isArray(sender._queue) || sender._queue.length > 0 || sender._state !== 0) return false;
  corkForTurn(socket);
  socket.write(frame);
  return true;
}

function sendFrame(ws: WebSocket, text: string): void {
  if (ws.readyState === OPEN && !writeFrame(ws, encodeTextFrame(text))) ws.send(text);
}

/** The frame of a tracked event for a subscription whose frames start with `head`, encoded once per node. */
function trackedFrame(event: SharedTrackedEvent, head: string): Buffer {
  const cached = event.frames.get(head) as Buffer | undefined;
  if (cached) return cached;
  const frame = encodeTextFrame(trackedText(event, head));
  event.frames.set(head, frame);
  return frame;
}

const trackedText = (event: SharedTrackedEvent, head: string) => `${head}${event.serialized},"id":${JSON.stringify(event.id)}}}`;

/**
 * superjson's output for a result that is a flat object of strings, finite numbers, booleans and nulls (what
 * most mutations answer): `{ json: result }`, without its walk over the value.
 */
function serializeResult(transformer: { output: { serialize(value: unknown): unknown } }, result: unknown): unknown {
  if (isObject(result) && Object.getPrototypeOf(result) === Object.prototype && Object.values(result).every(isPlainJsonScalar)) return { json: result };
  return transformer.output.serialize(result);
}

function isPlainJsonScalar(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value) && !Object.is(value, -0));
}

type RealtimeContext = { realtime?: RealtimeServices };

/**
 * callProcedure with only the options the middlewares read (tRPC copies them at every middleware, and they
 * carry the router when called through callProcedure); a query or mutation gets no abort signal (only a
 * subscription can be stopped).
 */
async function runProcedure(router: AnyRouter, path: string, type: ProcedureType, ctx: unknown, input: unknown, signal?: AbortSignal): Promise<unknown> {
  const procedure = await getProcedureAtPath(router, path);
  if (!procedure || procedure._def.type !== type) throw new TRPCError({ code: "NOT_FOUND", message: `No "${type}"-procedure on path "${path}"` });
  const getRawInput = async () => input;
  return procedure((signal ? { path, type, ctx, getRawInput, signal } : { path, type, ctx, getRawInput }) as ProcedureCallOptions<unknown>);
}

interface Liveness {
  heardAt: number;
  pingedAt: number | null;
}

/**
 * tRPC's keep-alive: "PING" after `pingMs` without a message from the client, and the socket dropped when
 * nothing comes back within `pongWaitMs`. One timer walks all the sockets every second, so a message only
 * stamps its socket (tRPC's own version resets two timers per socket on every message).
 */
function keepAlive(wss: WebSocketServer, { pingMs, pongWaitMs }: { pingMs: number; pongWaitMs: number }) {
  const sockets = new Map<WebSocket, Liveness>();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [ws, liveness] of sockets) {
      if (liveness.pingedAt !== null) {
        if (liveness.heardAt < liveness.pingedAt && now - liveness.pingedAt >= pongWaitMs) ws.terminate();
        else if (liveness.heardAt >= liveness.pingedAt) liveness.pingedAt = null;
      } else if (now - liveness.heardAt >= pingMs && ws.readyState === OPEN) {
        liveness.pingedAt = now;
        ws.send("PING");
      }
    }
  }, 1000);
  timer.unref();
  wss.once("close", () => clearInterval(timer));
  return (ws: WebSocket): Liveness => {
    const liveness: Liveness = { heardAt: Date.now(), pingedAt: null };
    sockets.set(ws, liveness);
    ws.once("close", () => sockets.delete(ws));
    return liveness;
  };
}

interface TrpcSocketOptions<TRouter extends AnyRouter> {
  wss: WebSocketServer;
  router: TRouter;
  createContext: (opts: { req: IncomingMessage; res: WebSocket }) => inferRouterContext<TRouter>;
  keepAlive: { pingMs: number; pongWaitMs: number };
  /** every error answered to a client, as tRPC's own adapters report them */
  onError: (opts: { error: TRPCError; type: ProcedureType | "unknown"; path: string | undefined; req: IncomingMessage }) => void;
  limits: SocketRequestLimits;
  /** a request or message refused by a limit, for the node's logs: the first of each kind on a socket */
  onRefusal: (opts: { req: IncomingMessage; reason: string; limit: keyof SocketRequestLimits; count: number }) => void;
}

export interface SocketRequestLimits {
  /** requests in one message: a larger message closes the socket, none of its requests run */
  requestsPerMessage: number;
  /** subscriptions live (or starting) on one socket at once: one more is answered TOO_MANY_REQUESTS */
  subscriptionsPerSocket: number;
}

export function applyTrpcSocketHandler<TRouter extends AnyRouter>(opts: TrpcSocketOptions<TRouter>) {
  const { router, limits } = opts;
  const config = router._def._config;
  const transformer = config.transformer;
  const watchLiveness = keepAlive(opts.wss, opts.keepAlive);

  opts.wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const subscriptions = new Map<number | string, AbortController>();
    // counted from the request's arrival (not only once started), so a burst cannot pass the limit
    let subscriptionsHeld = 0;
    // a client that keeps asking beyond a limit gets every refusal, the logs one line per socket
    let subscriptionRefusalLogged = false;
    const ctx = opts.createContext({ req, res: ws });
    const liveness = watchLiveness(ws);

    const respond = (message: TRPCResponseMessage) => sendFrame(ws, JSON.stringify(transformTRPCResponse(config, message)));
    const respondError = (id: number | string | null, jsonrpc: "2.0" | undefined, cause: unknown, type: ProcedureType | "unknown", path?: string, input?: unknown) => {
      const error = getTRPCErrorFromUnknown(cause);
      opts.onError({ error, type, path, req });
      respond({ id, jsonrpc, error: getErrorShape({ config, error, type, path, input, ctx }) });
    };

    /** The start of a response frame to request `id`, up to its result's `data`. */
    const resultHead = (id: number | string, jsonrpc: "2.0" | undefined) =>
      `{"id":${JSON.stringify(id)}${jsonrpc === undefined ? "" : `,"jsonrpc":${JSON.stringify(jsonrpc)}`},"result":{"type":"data","data":`;

    /** The sink of subscription `id`: tracked events in the exact frames the handler would send for them. */
    const eventSink = (id: number | string, jsonrpc: "2.0" | undefined) => {
      const head = resultHead(id, jsonrpc);
      return {
        sendTracked: (event: SharedTrackedEvent) => {
          if (ws.readyState === OPEN && !writeFrame(ws, trackedFrame(event, head))) ws.send(trackedText(event, head));
        },
      };
    };

    /** `traceparent`: the caller's trace, sent beside the request's input (requestTraceparent), "" when none */
    const handleRequest = (msg: TRPCClientOutgoingMessage, traceparent: string) => {
      const { id, jsonrpc } = msg;
      if (id === null) return respondError(null, jsonrpc, new TRPCError({ code: "PARSE_ERROR", message: "`id` is required" }), "unknown");
      if (msg.method === "subscription.stop") {
        subscriptions.get(id)?.abort();
        return;
      }
      const request = msg as TRPCRequestMessage;
      const { path, lastEventId } = request.params;
      const type = request.method;
      let input = request.params.input;
      if (lastEventId !== undefined) input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
      if (type === "subscription") {
        if (subscriptionsHeld >= limits.subscriptionsPerSocket) {
          const reason = `This connection already has ${limits.subscriptionsPerSocket} live subscriptions, the most one connection may hold. Close a chat or meeting you are not using.`;
          if (!subscriptionRefusalLogged) opts.onRefusal({ req, reason, limit: "subscriptionsPerSocket", count: subscriptionsHeld + 1 });
          subscriptionRefusalLogged = true;
          return respondError(id, jsonrpc, new TRPCError({ code: "TOO_MANY_REQUESTS", message: reason }), type, path, input);
        }
        subscriptionsHeld++;
      }
      void withRemoteParent(traceparent, async () => {
        if (type !== "subscription") {
          const arrived = performance.now();
          const result = await runProcedure(router, path, type, ctx, input);
          if (isAsyncIterable(result)) throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: `Cannot return an async iterable from a ${type} procedure with WebSockets` });
          // what transformTRPCResponse would build, without copying the message three times over
          sendFrame(ws, `${resultHead(id, jsonrpc)}${JSON.stringify(serializeResult(transformer, result))}}}`);
          // the path ran, so it is one of the router's: a bounded label
          if (SIGNALING.test(path)) serviceMetrics().signaling.observe({ procedure: path }, (performance.now() - arrived) / 1000);
          return;
        }
        const abort = new AbortController();
        const realtime = (ctx as RealtimeContext).realtime;
        // a subscription's own context: its sink knows its id
        const subscriptionCtx = realtime ? { ...ctx, realtime: { ...realtime, eventSink: eventSink(id, jsonrpc) } } : ctx;
        const result = await runProcedure(router, path, type, subscriptionCtx, input, abort.signal);
        if (!isAsyncIterable(result)) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `Subscription ${path} did not return an AsyncGenerator` });
        if (ws.readyState !== OPEN) return;
        if (subscriptions.has(id)) throw new TRPCError({ code: "BAD_REQUEST", message: `Duplicate id ${id}` });
        subscriptions.set(id, abort);
        const streaming = stream(id, jsonrpc, path, input, result, abort);
        respond({ id, jsonrpc, result: { type: "started" } });
        await streaming;
      })
        .catch((cause: unknown) => respondError(id, jsonrpc, cause, type, path, input))
        .finally(() => {
          if (type === "subscription") subscriptionsHeld--;
        });
    };

    /** Writes each value of a subscription as it comes (before asking for the next), then "stopped". */
    const stream = async (id: number | string, jsonrpc: "2.0" | undefined, path: string, input: unknown, iterable: AsyncIterable<unknown>, abort: AbortController) => {
      const iterator = iterable[Symbol.asyncIterator]();
      const aborted = new Promise<"abort">((resolve) => abort.signal.addEventListener("abort", () => resolve("abort"), { once: true }));
      try {
        for (;;) {
          const next = await Unpromise.race([iterator.next().catch(getTRPCErrorFromUnknown), aborted]);
          if (next === "abort") {
            await iterator.return?.();
            break;
          }
          if (next instanceof Error) {
            respondError(id, jsonrpc, next, "subscription", path, input);
            break;
          }
          if (next.done) break;
          if (isTrackedEnvelope(next.value)) {
            const [eventId, data] = next.value;
            respond({ id, jsonrpc, result: { type: "data", data: { id: eventId, data }, id: eventId } });
          } else {
            respond({ id, jsonrpc, result: { type: "data", data: next.value } });
          }
        }
        respond({ id, jsonrpc, result: { type: "stopped" } });
      } catch (cause) {
        respondError(id, jsonrpc, cause, "subscription", path, input);
        abort.abort();
      } finally {
        subscriptions.delete(id);
      }
    };

    ws.on("message", (raw: Buffer, isBinary: boolean) => {
      // what arrives after the server closed the socket (a refused message) is not run
      if (ws.readyState !== OPEN) return;
      liveness.heardAt = Date.now();
      const text = isBinary ? null : raw.toString("utf8");
      if (text === "PONG") return;
      if (text === "PING") {
        ws.send("PONG");
        return;
      }
      let messages: Array<[TRPCClientOutgoingMessage, string]>;
      try {
        // JSON travels in text frames
        if (text === null) throw new Error("binary message");
        const json: unknown = JSON.parse(text);
        const batch = Array.isArray(json) ? json : [json];
        if (batch.length > limits.requestsPerMessage) {
          const reason = `Too many requests in one message (${batch.length}, limit ${limits.requestsPerMessage}).`;
          opts.onRefusal({ req, reason, limit: "requestsPerMessage", count: batch.length });
          ws.close(CloseCode.tooManyRequests, reason);
          return;
        }
        messages = batch.map((m) => [parseTRPCMessage(m, transformer), requestTraceparent(m)]);
      } catch (cause) {
        respondError(null, undefined, new TRPCError({ code: "PARSE_ERROR", cause }), "unknown");
        return;
      }
      for (const [message, traceparent] of messages) handleRequest(message, traceparent);
    });

    ws.once("close", () => {
      for (const abort of subscriptions.values()) abort.abort();
      subscriptions.clear();
    });
  });

  return {
    /** Asks every client to reconnect (they land on another node behind a load balancer). */
    broadcastReconnectNotification() {
      const data = JSON.stringify({ id: null, method: "reconnect" });
      for (const client of opts.wss.clients) if (client.readyState === OPEN) client.send(data);
    },
  };
}

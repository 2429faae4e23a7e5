// tRPC over WebSocket for the realtime node: the protocol of @trpc/server's `applyWSSHandler` (JSON-RPC-like
// messages, superjson, subscriptions with tracked() ids, keep-alive PING/PONG, reconnect notification), with two
// changes for the room fan-out, where one event goes to many sockets:
//   - a subscription's context carries an `eventSink` that writes tracked events already serialized once per
//     node (RoomEventLog) to this socket, instead of each subscriber's generator, superjson and JSON.stringify;
//   - writes are corked per socket until the end of the event-loop turn (writeBatching.ts).
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { WebSocket, WebSocketServer } from "ws";
import { handleKeepAlive } from "@trpc/server/adapters/ws";
import {
  Unpromise,
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isTrackedEnvelope,
  parseTRPCMessage,
  transformTRPCResponse,
  TRPCError,
  type AnyRouter,
  type ProcedureType,
  type TRPCClientOutgoingMessage,
  type TRPCRequestMessage,
  type TRPCResponseMessage,
  type inferRouterContext,
} from "@trpc/server/unstable-core-do-not-import";
import type { RealtimeServices } from "@qualmeet/api/realtime";
import { corkForTurn } from "./writeBatching.ts";

const OPEN = 1;

/** Sends a text frame; frames to one socket within one event-loop turn leave together. */
function sendFrame(ws: WebSocket, data: string): void {
  if (ws.readyState !== OPEN) return;
  // ws keeps its net.Socket in `_socket` and writes each frame's header and payload inside its own cork
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket) corkForTurn(socket);
  ws.send(data);
}

/** The frame's end after a tracked event's data: the same for every subscriber of one event on this node. */
let lastTail = { serialized: "", tail: "" };
function trackedTail(eventId: string, serialized: string): string {
  if (lastTail.serialized !== serialized) lastTail = { serialized, tail: `${serialized},"id":${JSON.stringify(eventId)}}}` };
  return lastTail.tail;
}

type RealtimeContext = { realtime?: RealtimeServices };

interface TrpcSocketOptions<TRouter extends AnyRouter> {
  wss: WebSocketServer;
  router: TRouter;
  createContext: (opts: { req: IncomingMessage; res: WebSocket }) => inferRouterContext<TRouter>;
  keepAlive: { pingMs: number; pongWaitMs: number };
}

export function applyTrpcSocketHandler<TRouter extends AnyRouter>(opts: TrpcSocketOptions<TRouter>) {
  const { router } = opts;
  const config = router._def._config;
  const transformer = config.transformer;

  opts.wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const subscriptions = new Map<number | string, AbortController>();
    const ctx = opts.createContext({ req, res: ws });
    handleKeepAlive(ws, opts.keepAlive.pingMs, opts.keepAlive.pongWaitMs);

    const respond = (message: TRPCResponseMessage) => sendFrame(ws, JSON.stringify(transformTRPCResponse(config, message)));
    const respondError = (id: number | string | null, jsonrpc: "2.0" | undefined, cause: unknown, type: ProcedureType | "unknown", path?: string, input?: unknown) =>
      respond({ id, jsonrpc, error: getErrorShape({ config, error: getTRPCErrorFromUnknown(cause), type, path, input, ctx }) });

    /** The start of a response frame to request `id`, up to its result's `data`. */
    const resultHead = (id: number | string, jsonrpc: "2.0" | undefined) =>
      `{"id":${JSON.stringify(id)}${jsonrpc === undefined ? "" : `,"jsonrpc":${JSON.stringify(jsonrpc)}`},"result":{"type":"data","data":`;

    /** The sink of subscription `id`: tracked events in the exact frames the handler would send for them. */
    const eventSink = (id: number | string, jsonrpc: "2.0" | undefined) => {
      const head = resultHead(id, jsonrpc);
      return { sendTracked: (eventId: string, serialized: string) => sendFrame(ws, head + trackedTail(eventId, serialized)) };
    };

    const handleRequest = (msg: TRPCClientOutgoingMessage, batchIndex: number) => {
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
      void (async () => {
        const abort = new AbortController();
        const realtime = (ctx as RealtimeContext).realtime;
        // a subscription's own context: its sink knows its id
        const callCtx = type === "subscription" && realtime ? { ...ctx, realtime: { ...realtime, eventSink: eventSink(id, jsonrpc) } } : ctx;
        const result = await callProcedure({ router, path, getRawInput: async () => input, ctx: callCtx, type, signal: abort.signal, batchIndex });
        if (type !== "subscription") {
          if (isAsyncIterable(result)) throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: `Cannot return an async iterable from a ${type} procedure with WebSockets` });
          // what transformTRPCResponse would build, without copying the message three times over
          sendFrame(ws, `${resultHead(id, jsonrpc)}${JSON.stringify(transformer.output.serialize(result))}}}`);
          return;
        }
        if (!isAsyncIterable(result)) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `Subscription ${path} did not return an AsyncGenerator` });
        if (ws.readyState !== OPEN) return;
        if (subscriptions.has(id)) throw new TRPCError({ code: "BAD_REQUEST", message: `Duplicate id ${id}` });
        subscriptions.set(id, abort);
        void stream(id, jsonrpc, path, input, result, abort);
        respond({ id, jsonrpc, result: { type: "started" } });
      })().catch((cause: unknown) => respondError(id, jsonrpc, cause, type, path, input));
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
      const text = isBinary ? null : raw.toString("utf8");
      if (text === "PONG") return;
      if (text === "PING") {
        ws.send("PONG");
        return;
      }
      let messages: TRPCClientOutgoingMessage[];
      try {
        // JSON travels in text frames
        if (text === null) throw new Error("binary message");
        const json: unknown = JSON.parse(text);
        messages = (Array.isArray(json) ? json : [json]).map((m) => parseTRPCMessage(m, transformer));
      } catch (cause) {
        respondError(null, undefined, new TRPCError({ code: "PARSE_ERROR", cause }), "unknown");
        return;
      }
      messages.forEach(handleRequest);
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

// The socket handler's limits with a real WebSocket server on a small router (no database or Redis): a message
// with too many requests closes the socket and runs none of them, one subscription too many is refused with the
// limit, and neither touches another socket.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { initTRPC } from "@trpc/server";
import { CloseCode } from "./socketLimits.ts";
import { applyTrpcSocketHandler } from "./trpcSocket.ts";

const t = initTRPC.create();
let pings = 0;
const router = t.router({
  ping: t.procedure.query(() => {
    pings++;
    return "pong";
  }),
  // a live subscription: it yields once, then holds until the client stops it
  ticks: t.procedure.subscription(async function* ({ signal }) {
    yield "tick";
    await new Promise((resolve) => signal?.addEventListener("abort", resolve, { once: true }));
  }),
});

const limits = { requestsPerMessage: 5, subscriptionsPerSocket: 3 };
const refusals: Array<{ limit: string; count: number; reason: string }> = [];
let wss: WebSocketServer;
let url: string;

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => wss.once("listening", resolve));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  applyTrpcSocketHandler({
    wss,
    router,
    createContext: () => ({}),
    keepAlive: { pingMs: 60_000, pongWaitMs: 60_000 },
    onError: () => {},
    limits,
    onRefusal: ({ reason, limit, count }) => refusals.push({ reason, limit, count }),
  });
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

interface Answer {
  id: number | null;
  result?: { type: string; data?: unknown };
  error?: { message: string; data?: { code: string } };
}

/** A raw client: every answer it got, and how the socket closed. */
async function connect() {
  const ws = new WebSocket(url);
  const answers: Answer[] = [];
  ws.on("message", (data) => answers.push(JSON.parse(String(data)) as Answer));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return { ws, answers, closed, send: (message: unknown) => ws.send(JSON.stringify(message)) };
}

const query = (id: number) => ({ id, method: "query", params: { path: "ping", input: undefined } });
const subscribe = (id: number) => ({ id, method: "subscription", params: { path: "ticks", input: undefined } });

test("a message with more requests than the limit closes the socket with the reason, and none of them runs", async () => {
  const abuser = await connect();
  const neighbour = await connect();
  const before = pings;
  abuser.send(Array.from({ length: limits.requestsPerMessage + 1 }, (_, i) => query(i + 1)));
  const closed = await Promise.race([abuser.closed, new Promise((resolve) => setTimeout(() => resolve("still open after 5 s"), 5000))]);
  expect(closed).toEqual({ code: CloseCode.tooManyRequests, reason: "Too many requests in one message (6, limit 5)." });
  expect(abuser.answers).toEqual([]);
  expect(pings).toBe(before);
  expect(refusals).toContainEqual(expect.objectContaining({ limit: "requestsPerMessage", count: 6 }));

  // a batch within the limit is served, on another socket as on a fresh one
  neighbour.send(Array.from({ length: limits.requestsPerMessage }, (_, i) => query(i + 1)));
  await vi.waitFor(() => expect(neighbour.answers).toHaveLength(limits.requestsPerMessage));
  expect(neighbour.answers.every((a) => a.result?.data === "pong")).toBe(true);
  neighbour.ws.close();
});

test("one subscription beyond the limit is refused with the limit; stopping one makes room; other sockets are not affected", async () => {
  const client = await connect();
  const other = await connect();
  // a burst in one message: the limit counts subscriptions from their arrival, not once they started
  client.send([1, 2, 3, 4, 5].map(subscribe));
  await vi.waitFor(() => expect(client.answers.filter((a) => a.result?.type === "started")).toHaveLength(3));
  await vi.waitFor(() => expect(client.answers.filter((a) => a.error).map((a) => a.id)).toEqual([4, 5]));
  const refused = client.answers.find((a) => a.error)!;
  expect(refused.error).toMatchObject({ data: { code: "TOO_MANY_REQUESTS" } });
  expect(refused.error!.message).toBe("This connection already has 3 live subscriptions, the most one connection may hold. Close a chat or meeting you are not using.");
  // the node's log gets one line for the socket, not one per refusal
  expect(refusals.filter((r) => r.limit === "subscriptionsPerSocket")).toEqual([expect.objectContaining({ count: 4 })]);
  // the refusal changed nothing: the three still stream, and queries are still answered
  client.send(query(10));
  await vi.waitFor(() => expect(client.answers.find((a) => a.id === 10)?.result?.data).toBe("pong"));
  expect(client.ws.readyState).toBe(WebSocket.OPEN);

  // another socket holds its own subscriptions
  other.send([1, 2, 3].map(subscribe));
  await vi.waitFor(() => expect(other.answers.filter((a) => a.result?.type === "started")).toHaveLength(3));

  // once one stops, the next is accepted
  client.send({ id: 1, method: "subscription.stop" });
  await vi.waitFor(() => expect(client.answers.find((a) => a.id === 1 && a.result?.type === "stopped")).toBeDefined());
  client.send(subscribe(5));
  await vi.waitFor(() => expect(client.answers.find((a) => a.id === 5 && a.result?.type === "started")).toBeDefined());
  client.ws.close();
  other.ws.close();
});

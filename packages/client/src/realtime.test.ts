// The realtime socket against a bare WebSocket server standing in for the realtime node: the credentials in the
// upgrade request (Node entry), the state it reports, the server's close reason, and reconnection.
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test, vi } from "vitest";
import { WebSocketServer } from "ws";
import { createRealtimeConnection, type RealtimeConnection, type RealtimeState } from "./node.ts";

const servers: WebSocketServer[] = [];
const connections: RealtimeConnection[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server that hands each accepted socket's upgrade headers and the socket to `onConnection`. */
async function standIn(onConnection: (socket: import("ws").WebSocket, headers: IncomingHttpHeaders, index: number) => void): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  servers.push(server);
  let index = 0;
  server.on("connection", (socket, req) => onConnection(socket, req.headers, index++));
  await new Promise((resolve) => server.once("listening", resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function connect(options: Parameters<typeof createRealtimeConnection>[0]): RealtimeConnection {
  const connection = createRealtimeConnection(options);
  connections.push(connection);
  return connection;
}

test("the Node socket carries the token in its upgrade request, and reports the socket open", async () => {
  const seen: IncomingHttpHeaders[] = [];
  const url = await standIn((_socket, headers) => seen.push(headers));
  const states: RealtimeState[] = [];
  const connection = connect({ url, token: "qm_bot-secret", onStateChange: (s) => states.push(s) });
  await vi.waitFor(() => expect(connection.state()).toEqual({ status: "open", refusal: null }));
  expect(seen).toHaveLength(1);
  expect(seen[0]!.authorization).toBe("Bearer qm_bot-secret");
  expect(seen[0]!.cookie).toBeUndefined();
  expect(states.at(-1)).toEqual({ status: "open", refusal: null });
});

test("a cookie socket sends the cookie and the page's origin instead", async () => {
  const seen: IncomingHttpHeaders[] = [];
  const url = await standIn((_socket, headers) => seen.push(headers));
  const connection = connect({ url, cookie: "next-auth.session-token=abc", origin: "https://meet.example.com" });
  await vi.waitFor(() => expect(connection.state().status).toBe("open"));
  expect(seen[0]).toMatchObject({ cookie: "next-auth.session-token=abc", origin: "https://meet.example.com" });
  expect(seen[0]!.authorization).toBeUndefined();
});

test("the server's close reason is kept for people while the socket reconnects, and cleared when it opens again", async () => {
  // the first socket is refused as the node refuses one over its limits; the next one is accepted
  const url = await standIn((socket, _headers, index) => {
    if (index === 0) socket.close(4008, "too many connections (limit 20)");
  });
  const states: RealtimeState[] = [];
  const connection = connect({ url, token: "qm_x", retryDelayMs: () => 20, onStateChange: (s) => states.push({ ...s }) });
  await vi.waitFor(() => expect(states).toContainEqual({ status: "closed", refusal: "too many connections (limit 20)" }));
  await vi.waitFor(() => expect(connection.state()).toEqual({ status: "open", refusal: null }));
});

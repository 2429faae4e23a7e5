// Whose address a realtime socket comes from, with a real node and Redis: X-Forwarded-For counts only when the
// socket comes from a configured proxy (REALTIME_TRUSTED_PROXIES), so a client reaching the node directly cannot
// pose as many addresses to get past the per-address socket cap.
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { startRealtime, type RealtimeServer } from "../../../tests/harness/servers.ts";

const ORIGIN = "http://localhost:3000";
const CAP = 2;
let direct: RealtimeServer;
let proxied: RealtimeServer;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  const env = { MEDIA_WORKERS: "0", WS_MAX_SOCKETS_PER_IP: String(CAP), WS_AUTH_TIMEOUT_MS: "600000" };
  [direct, proxied] = await Promise.all([
    startRealtime({ allowedOrigins: [ORIGIN], env }),
    // this machine is the proxy in front of it
    startRealtime({ allowedOrigins: [ORIGIN], env: { ...env, REALTIME_TRUSTED_PROXIES: "127.0.0.1,::1" } }),
  ]);
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

/** Opens a socket claiming to come from `from`; resolves with how it ended up: served, or closed with a code. */
async function connect(node: RealtimeServer, from: string): Promise<"open" | number> {
  const ws = new WebSocket(node.wsUrl, { headers: { origin: ORIGIN, "x-forwarded-for": from } });
  sockets.push(ws);
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  // a refused socket is accepted only to be closed at once; a served one answers a ping
  const served = new Promise<"open">((resolve) => ws.once("pong", () => resolve("open")));
  ws.ping();
  return Promise.race([closed, served]);
}

test("without trusted proxies, a client's own X-Forwarded-For is ignored: its sockets count as one address", async () => {
  const outcomes = [];
  for (let i = 1; i <= CAP + 1; i++) outcomes.push(await connect(direct, `198.51.100.${i}`));
  expect(outcomes).toEqual([...Array<"open">(CAP).fill("open"), 4429]);
});

test("behind a trusted proxy, each client is the address the proxy saw", async () => {
  const outcomes = [];
  for (let i = 1; i <= CAP + 1; i++) outcomes.push(await connect(proxied, `203.0.113.${i}`));
  expect(outcomes).toEqual(Array(CAP + 1).fill("open"));
  expect(await connect(proxied, "203.0.113.1")).toBe("open");
  expect(await connect(proxied, "203.0.113.1")).toBe(4429);
});

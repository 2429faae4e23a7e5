// GET /metrics of a realtime node and of the web app, as Prometheus scrapes them (METRICS_TOKEN set): a meeting join,
// TURN credentials, a page's media reports, a chat message and a random match each move their numbers; nothing
// without the token; no user id, e-mail, name, meeting or secret in the output; scrapers that hang up or never read
// change nothing for the people on the node.
import net from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { guestCookie, randomPerson, type RandomPerson } from "../../../tests/harness/randomChat.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

const METRICS_TOKEN = `metrics-${randomUUID()}`;
const TURN_SECRET = `turn-secret-${randomUUID()}`;
const env = {
  METRICS_TOKEN,
  TURN_URLS: "turn:127.0.0.1:3478?transport=udp",
  TURN_SECRET,
  TURN_DAILY_QUOTA: "1",
  MEDIA_WORKERS: "0",
  RATE_LIMIT_GUESTS_PER_HOUR: "100000",
  RATE_LIMIT_GLOBAL_PER_MIN: "100000",
};
let web: WebServer;
let node: RealtimeServer;
const open: Array<{ close(): Promise<void> | void }> = [];

beforeAll(async () => {
  web = await startWeb({ env });
  node = await startRealtime({ allowedOrigins: [web.url], env });
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
});

const scrape = async (baseUrl: string, token: string | null = METRICS_TOKEN) => fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

const metricsText = async (baseUrl: string) => {
  const res = await scrape(baseUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
};

/** The sum of a metric's samples whose labels include `labels` (Prometheus text format). */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

function connect(cookie: string): RealtimeConnection {
  const connection = realtimeClient(node.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

test("no token, a wrong token: refused on both servers; the token: the metrics", async () => {
  for (const baseUrl of [node.httpUrl, web.url]) {
    const none = await scrape(baseUrl, null);
    expect(none.status).toBe(401);
    expect(await none.text()).toContain("METRICS_TOKEN");
    expect((await scrape(baseUrl, "not-the-metrics-token")).status).toBe(401);
    expect(await metricsText(baseUrl)).toContain("process_start_time_seconds");
  }
});

test("a join, TURN credentials, the page's reports, a chat message and a random match move the numbers; nobody is named", async () => {
  const [nodeBefore, webBefore] = [await metricsText(node.httpUrl), await metricsText(web.url)];
  const host = await newUser(web.url, "Metrics Host Hildegard");
  const other = await newUser(web.url, "Metrics Guest Gottfried");
  const hostWeb = webClient(web.url, host.cookie);

  // a meeting join (signaling) with TURN credentials, then a second ask beyond the daily quota of 1
  const meeting = await hostWeb.meeting.create.mutate({ title: "Metrics meeting Marzipan" });
  const hostSocket = connect(host.cookie);
  const joined = await hostSocket.client.room.join.mutate({ code: meeting.code });
  const refused = await hostSocket.client.room.iceServers.query({ meetingId: meeting.id, peerId: joined.self.peerId });
  expect(refused.relayNotice).not.toBeNull();

  // the page's measurements: a join to the first frame, an ICE restart and failure; a hostile value is clamped
  await hostWeb.metrics.reportMedia.mutate({ kind: "join", mode: "P2P", ms: 850, path: "relay" });
  await hostWeb.metrics.reportMedia.mutate({ kind: "join", mode: "SFU", ms: 1e12 });
  await hostWeb.metrics.reportMedia.mutate({ kind: "ice", mode: "SFU", event: "restarted" });
  await hostWeb.metrics.reportMedia.mutate({ kind: "ice", mode: "SFU", event: "failed" });
  await expect(hostWeb.metrics.reportMedia.mutate({ kind: "ice", mode: "MESH" } as never)).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });

  // a chat message, delivered to its recipient's socket on the node
  const dm = await hostWeb.chat.createDirect.mutate({ userId: other.id });
  const received: unknown[] = [];
  const otherSocket = connect(other.cookie);
  await new Promise<void>((resolve, reject) => {
    otherSocket.client.chat.events.subscribe({}, { onStarted: () => resolve(), onData: ({ data }) => void received.push(data), onError: reject });
  });
  await hostSocket.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "a secret about Marzipan" });
  await vi.waitFor(() => expect(JSON.stringify(received)).toContain("a secret about Marzipan"), { timeout: 10_000 });

  // a random chat match
  const person = async (name: string): Promise<RandomPerson> => {
    const p = await randomPerson({ wsUrl: node.wsUrl, origin: web.url, cookie: await guestCookie(web.url, name), name });
    open.push(p);
    return p;
  };
  const [ana, ben] = [await person("Random Anastasia"), await person("Random Benedikt")];
  const preferences = { region: "oceania" as const, language: "en" };
  await ana.client.random.start.mutate({ deviceId: ana.deviceId, preferences });
  await ben.client.random.start.mutate({ deviceId: ben.deviceId, preferences });
  await ana.waitFor("matched");

  const moved = (before: string, after: string, name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
  await vi.waitFor(
    async () => {
      const after = await metricsText(node.httpUrl);
      expect(moved(nodeBefore, after, "qualmeet_signaling_seconds_count", { procedure: "room.join" })).toBe(1);
      expect(moved(nodeBefore, after, "qualmeet_turn_credentials_issued_total")).toBeGreaterThanOrEqual(1);
      expect(moved(nodeBefore, after, "qualmeet_turn_quota_refusals_total")).toBeGreaterThanOrEqual(1);
      expect(moved(nodeBefore, after, "qualmeet_chat_delivery_seconds_count")).toBeGreaterThanOrEqual(1);
      expect(moved(nodeBefore, after, "qualmeet_random_match_wait_seconds_count")).toBe(2);
      expect(valueOf(after, "qualmeet_random_active_pairs")).toBeGreaterThanOrEqual(1);
      expect(valueOf(after, "qualmeet_sockets_open")).toBeGreaterThanOrEqual(4);
      expect(valueOf(after, "qualmeet_meeting_participants", { mode: "P2P" })).toBeGreaterThanOrEqual(1);
    },
    { timeout: 10_000, interval: 300 },
  );

  const webAfter = await metricsText(web.url);
  expect(moved(webBefore, webAfter, "qualmeet_join_seconds_count", { mode: "P2P" })).toBe(1);
  expect(moved(webBefore, webAfter, "qualmeet_join_seconds_sum", { mode: "P2P" })).toBeCloseTo(0.85);
  // 1e12 ms is clamped to two minutes
  expect(moved(webBefore, webAfter, "qualmeet_join_seconds_sum", { mode: "SFU" })).toBe(120);
  expect(moved(webBefore, webAfter, "qualmeet_ice_connections_total", { mode: "P2P", path: "relay" })).toBe(1);
  expect(moved(webBefore, webAfter, "qualmeet_ice_restarts_total", { mode: "SFU" })).toBe(1);
  expect(moved(webBefore, webAfter, "qualmeet_ice_failures_total", { mode: "SFU" })).toBe(1);
  expect(moved(webBefore, webAfter, "qualmeet_trpc_errors_total", { server: "web", procedure: "metrics.reportMedia", code: "BAD_REQUEST" })).toBe(1);

  // nobody and nothing private is in either output
  const nodeAfter = await metricsText(node.httpUrl);
  for (const text of [nodeAfter, webAfter]) {
    for (const secret of [
      host.id,
      other.id,
      ana.userId,
      ben.userId,
      host.email,
      other.email,
      "Hildegard",
      "Gottfried",
      "Anastasia",
      "Benedikt",
      "Marzipan",
      meeting.id,
      meeting.code,
      dm.id,
      TURN_SECRET,
      METRICS_TOKEN,
      "127.0.0.1",
    ]) {
      expect(text).not.toContain(secret);
    }
  }
});

test("a client path that is no procedure is counted as 'unknown' (labels stay bounded); a rate limit refusal by its scope", async () => {
  const before = await metricsText(web.url);
  const madeUp = `made.up${randomUUID().replaceAll("-", "")}`;
  expect((await fetch(`${web.url}/api/trpc/${madeUp}`, { headers: { "content-type": "application/json" } })).status).toBe(404);
  const user = await newUser(web.url, "Rate Limited Rupert");
  const client = webClient(web.url, user.cookie);
  // metrics.reportMedia takes 30 reports a minute from one person
  const results = await Promise.allSettled(Array.from({ length: 32 }, () => client.metrics.reportMedia.mutate({ kind: "ice", mode: "P2P", event: "restarted" })));
  expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThanOrEqual(1);
  const after = await metricsText(web.url);
  expect(after).not.toContain(madeUp);
  expect(
    valueOf(after, "qualmeet_trpc_errors_total", { procedure: "unknown", code: "NOT_FOUND" }) -
      valueOf(before, "qualmeet_trpc_errors_total", { procedure: "unknown", code: "NOT_FOUND" }),
  ).toBe(1);
  expect(
    valueOf(after, "qualmeet_rate_limit_refusals_total", { scope: "metrics:report" }) - valueOf(before, "qualmeet_rate_limit_refusals_total", { scope: "metrics:report" }),
  ).toBeGreaterThanOrEqual(1);
});

test("scrapers that hang up at once or never read their answer change nothing for the people on the node", async () => {
  const request = `GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${METRICS_TOKEN}\r\n\r\n`;
  const sockets: net.Socket[] = [];
  for (let i = 0; i < 20; i++) {
    const socket = net.connect(node.port, "localhost");
    socket.on("error", () => undefined);
    socket.write(request);
    // half hang up at once, half stay and never read
    if (i % 2 === 0) socket.destroy();
    else socket.pause();
    sockets.push(socket);
  }
  try {
    const a = await newUser(web.url, "After Scrape A");
    const b = await newUser(web.url, "After Scrape B");
    const dm = await webClient(web.url, a.cookie).chat.createDirect.mutate({ userId: b.id });
    const received: unknown[] = [];
    const bSocket = connect(b.cookie);
    await new Promise<void>((resolve, reject) => {
      bSocket.client.chat.events.subscribe({}, { onStarted: () => resolve(), onData: ({ data }) => void received.push(data), onError: reject });
    });
    await connect(a.cookie).client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "still delivered" });
    await vi.waitFor(() => expect(JSON.stringify(received)).toContain("still delivered"), { timeout: 10_000 });
    expect((await fetch(`${node.httpUrl}/healthz`)).status).toBe(200);
    expect(await metricsText(node.httpUrl)).toContain("qualmeet_sockets_open");
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});

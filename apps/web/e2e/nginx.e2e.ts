/// <reference lib="dom" />
// deploy/nginx/qualmeet.conf for real: Debian's nginx terminates TLS (a certificate made for the test) in front of
// the web app and two realtime nodes on loopback; Chromium opens everything through it (https pages, the
// realtime socket on wss://…/realtime). A 2-person meeting decodes video; then the node that owns an SFU
// meeting's media is drained with SIGTERM and the pages come back through nginx on the other node.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import net from "node:net";
import { Redis } from "ioredis";
import WebSocket from "ws";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { startNginx, type NginxProxy } from "../../../tests/harness/nginx.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { connectionState, expectDecoding, join, newPage, poll } from "./support/meetingPages.ts";

let web: WebServer;
let nginx: NginxProxy;
let browser: Browser;
let redis: Redis;
let httpsPort: number;
/** the two realtime nodes behind nginx, by port (a stopped one is restarted on the same port before each test) */
const nodes = new Map<number, RealtimeServer | null>();
let contexts: BrowserContext[] = [];

// The nodes read the session cookie by the name an https web app gives it (NEXTAUTH_URL, as in production), and
// the client's address from nginx's X-Forwarded-For (it connects from loopback).
const startNode = (port?: number) =>
  startRealtime({ port, allowedOrigins: [`https://localhost:${httpsPort}`], env: { NEXTAUTH_URL: `https://localhost:${httpsPort}`, REALTIME_TRUSTED_PROXIES: "127.0.0.1" } });

beforeAll(async () => {
  httpsPort = await freePort();
  const webPort = await freePort();
  const [one, two] = await Promise.all([startNode(), startNode()]);
  nodes.set(one.port, one).set(two.port, two);
  nginx = await startNginx({ webPorts: [webPort], realtimePorts: [one.port, two.port], httpsPort });
  redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 2 });
  const [w, b] = await Promise.allSettled([
    startWeb({ port: webPort, env: { NEXTAUTH_URL: nginx.httpsUrl, REALTIME_PUBLIC_URL: nginx.realtimeUrl, WEB_TRUSTED_PROXIES: "127.0.0.1" } }),
    // the certificate is the test's own
    launchChromium({ args: ["--ignore-certificate-errors"] }),
  ]);
  if (w.status === "fulfilled") web = w.value;
  if (b.status === "fulfilled") browser = b.value;
  for (const r of [w, b]) if (r.status === "rejected") throw r.reason;
});

beforeEach(async () => {
  for (const [port, node] of nodes) {
    if (!node || node.process.child.exitCode !== null || node.process.child.signalCode !== null) nodes.set(port, await startNode(port));
  }
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), nginx?.stop(), ...[...nodes.values()].map((n) => n?.stop())]);
  redis?.disconnect();
});

/** The realtime sockets a page opens, by URL. */
function socketUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on("websocket", (ws) => urls.push(ws.url()));
  return urls;
}

const peerIdOf = (page: Page) => page.evaluate(() => window.__qualmeet!.peerId!);
/** The node holding a participant's socket (`room:{id}:presence`). */
const presenceOf = (meetingId: string, peerId: string) => redis.hget(`room:${meetingId}:presence`, peerId);

/** A meeting created by a signed-in host (over the web app's own port: the test's HTTP client does not trust the certificate). */
async function createMeeting(title: string, p2pMaxParticipants?: number) {
  const host = await newUser(web.url, "Nia Host");
  return webClient(web.url, host.cookie).meeting.create.mutate({ title, maxParticipants: 10, ...(p2pMaxParticipants === undefined ? {} : { p2pMaxParticipants }) });
}

describe("QualMeet behind nginx (deploy/nginx/qualmeet.conf)", () => {
  test("http redirects to https; two guests meet over https and wss through nginx and see each other", { timeout: 150_000 }, async () => {
    const redirect = await fetch(`${nginx.httpUrl}/m/abc?quality=low`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("https://localhost/m/abc?quality=low");

    const meeting = await createMeeting("Through nginx");
    const a = await newPage(browser, contexts);
    const b = await newPage(browser, contexts);
    const sockets = [socketUrls(a), socketUrls(b)];
    await join(a, nginx.httpsUrl, meeting.code, "Ada Guest");
    await join(b, nginx.httpsUrl, meeting.code, "Bo Guest");
    await Promise.all([expectDecoding(a, 1, 40_000), expectDecoding(b, 1, 40_000)]);
    // the pages' sockets went through nginx (the app's CSP allows no other), and the nodes behind it hold them
    for (const urls of sockets) expect(urls.length > 0 && urls.every((u) => u.startsWith(nginx.realtimeUrl))).toBe(true);
    const nodeIds = await Promise.all([...nodes.values()].map((n) => healthDetails(n!).then((d) => d.nodeId)));
    for (const page of [a, b]) expect(nodeIds).toContain(await presenceOf(meeting.id, await peerIdOf(page)));
  });

  test("SIGTERM of the node owning the meeting: the pages reconnect through nginx to the other node and decode again", { timeout: 180_000 }, async () => {
    const meeting = await createMeeting("Drain behind nginx", 0);
    const a = await newPage(browser, contexts);
    const b = await newPage(browser, contexts);
    await join(a, nginx.httpsUrl, meeting.code, "Ada Guest");
    await join(b, nginx.httpsUrl, meeting.code, "Bo Guest");
    await Promise.all([expectDecoding(a, 1, 40_000), expectDecoding(b, 1, 40_000)]);
    const peerIds = [await peerIdOf(a), await peerIdOf(b)];

    const ownerId = await poll("a media owner", () => redis.get(`room:${meeting.id}:owner`));
    const byId = new Map<string, number>();
    for (const [port, node] of nodes) byId.set((await healthDetails(node!)).nodeId, port);
    const ownerPort = byId.get(ownerId)!;
    const [survivorId] = [...byId].find(([, port]) => port !== ownerPort)!;
    // least_conn spreads the two sockets: at least one is on the owner and has to move through nginx
    const onOwner = await Promise.all(peerIds.map(async (id) => (await presenceOf(meeting.id, id)) === ownerId));
    expect(onOwner).toContain(true);

    const drained = nodes.get(ownerPort)!;
    const stopped = drained.stop("SIGTERM");
    await poll("the other node owns the meeting", async () => (await redis.get(`room:${meeting.id}:owner`)) === survivorId, 30_000);
    await stopped;
    nodes.set(ownerPort, null);
    await Promise.all([expectDecoding(a, 1, 40_000), expectDecoding(b, 1, 40_000)]);
    for (const [i, page] of [a, b].entries()) {
      await connectionState(page, "Connected", 30_000);
      await poll(`page ${i}'s socket on the surviving node`, async () => (await presenceOf(meeting.id, peerIds[i]!)) === survivorId, 30_000);
      expect(await peerIdOf(page)).toBe(peerIds[i]);
    }
  });

  test("a node answering the upgrade with 503 (draining) is skipped: nginx hands the socket to the next node", { timeout: 60_000 }, async () => {
    // a node in its drain, held there: it refuses every upgrade as apps/realtime/src/server.ts does while draining
    const refused: string[] = [];
    const draining = net.createServer((socket) =>
      socket.once("data", (request: Buffer) => {
        refused.push(request.toString("latin1").split("\r\n")[0]!);
        const reason = "This node is shutting down, connect again";
        socket.end(`HTTP/1.1 503 ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`);
      }),
    );
    await new Promise<void>((resolve) => draining.listen(0, "127.0.0.1", resolve));
    const drainingPort = (draining.address() as net.AddressInfo).port;
    const live = [...nodes.values()][0]!;
    // the draining node first: least_conn with nothing open picks it for the first socket
    const proxy = await startNginx({ webPorts: [web.port], realtimePorts: [drainingPort, live.port] });
    try {
      for (let i = 0; i < 3; i++) {
        const socket = new WebSocket(proxy.realtimeUrl, { origin: nginx.origin, rejectUnauthorized: false });
        const opened = await new Promise<boolean>((resolve) => {
          socket.once("open", () => resolve(true));
          socket.once("unexpected-response", () => resolve(false));
          socket.once("error", () => resolve(false));
        });
        socket.terminate();
        expect(opened, `socket ${i} opened through nginx`).toBe(true);
      }
      // the draining node was asked and said no: the sockets opened on the other one
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]).toMatch(/^GET \/realtime HTTP\/1\.1$/);
    } finally {
      await proxy.stop();
      await new Promise((resolve) => draining.close(resolve));
    }
  });
});

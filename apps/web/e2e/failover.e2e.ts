/// <reference lib="dom" />
// Failover in real headless Chromium: two realtime nodes on one Redis behind a TCP load balancer (the pages'
// REALTIME_PUBLIC_URL), an SFU meeting of three. A node killed with SIGKILL under one participant's socket,
// the media owner drained with SIGTERM, and a participant's network cut for 3 s: the meeting carries on, and
// nobody sees anyone leave. Recovery times are logged (the 5 s / 10 s), not asserted.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startBalancer, type Balancer } from "../../../tests/harness/balancer.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { connectionState, expectDecoding, join, newPage, poll } from "./support/meetingPages.ts";

let web: WebServer;
let balancer: Balancer;
let browser: Browser;
let redis: Redis;
let origins: string[];
/** the two realtime nodes, by port (a stopped one is restarted on the same port before each test) */
const nodes = new Map<number, RealtimeServer | null>();
let contexts: BrowserContext[] = [];

const startNode = (port?: number) => startRealtime({ allowedOrigins: origins, port });

beforeAll(async () => {
  const webPort = await freePort();
  origins = [`http://localhost:${webPort}`];
  const [one, two] = await Promise.all([startNode(), startNode()]);
  nodes.set(one.port, one).set(two.port, two);
  balancer = await startBalancer([one.port, two.port]);
  redis = new Redis(process.env.REDIS_URL!, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const [w, b] = await Promise.allSettled([startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: balancer.wsUrl } }), launchChromium()]);
  if (w.status === "fulfilled") web = w.value;
  if (b.status === "fulfilled") browser = b.value;
  for (const r of [w, b]) if (r.status === "rejected") throw r.reason;
});

beforeEach(async () => {
  balancer.prefer(null);
  for (const [port, node] of nodes) {
    if (!node || node.process.child.exitCode !== null || node.process.child.signalCode !== null) nodes.set(port, await startNode(port));
  }
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), balancer?.stop(), ...[...nodes.values()].map((n) => n?.stop())]);
  redis?.disconnect();
});

// ---- helpers ---------------------------------------------------------------------------------------------

async function nodeIdOf(node: RealtimeServer): Promise<string> {
  return (await healthDetails(node)).nodeId;
}

/** Which node (by port) a node id is. */
async function portOf(nodeId: string): Promise<number> {
  for (const [port, node] of nodes) if (node && (await nodeIdOf(node).catch(() => null)) === nodeId) return port;
  throw new Error(`no running node ${nodeId}`);
}

/** The engine's warnings ("[media] ..."), printed with the page's name: what went wrong when a step fails. */
function logMediaWarnings(name: string, page: Page): void {
  page.on("console", (m) => {
    if (m.type() === "warning" && m.text().startsWith("[media]")) console.log(`${name}: ${m.text()}`);
  });
}

const peerIdOf = (page: Page) => page.evaluate(() => window.__qualmeet!.peerId!);
const meetingOwner = (meetingId: string) => redis.get(`room:${meetingId}:owner`);
/** The node holding a participant's socket (`room:{id}:presence`). */
const presenceOf = (meetingId: string, peerId: string) => redis.hget(`room:${meetingId}:presence`, peerId);

/** The room's join/leave events a page receives on its realtime socket, from now on. */
function watchJoinsAndLeaves(page: Page): Array<{ type: string; peerId: string; at: number }> {
  const seen: Array<{ type: string; peerId: string; at: number }> = [];
  const find = (value: unknown): void => {
    if (!value || typeof value !== "object") return;
    const v = value as { type?: unknown; peerId?: unknown; peer?: { peerId?: unknown } };
    if (v.type === "peer.left" && typeof v.peerId === "string") seen.push({ type: v.type, peerId: v.peerId, at: Date.now() });
    else if (v.type === "peer.joined" && typeof v.peer?.peerId === "string") seen.push({ type: v.type, peerId: v.peer.peerId, at: Date.now() });
    else for (const child of Object.values(value)) find(child);
  };
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      if (typeof payload !== "string" || !payload.includes('"peer.')) return;
      try {
        find(JSON.parse(payload));
      } catch {
        // not JSON: not ours
      }
    }),
  );
  return seen;
}

interface Meeting {
  id: string;
  pages: Record<"a" | "b" | "c", Page>;
  peerIds: Record<"a" | "b" | "c", string>;
  ownerPort: number;
  otherPort: number;
}

/**
 * An SFU meeting of three (320x240 each): B joins first, which places the meeting's media on a node (its
 * owner); B's and C's sockets go to the owner, A's to the other node.
 */
async function meetingOfThree(): Promise<Meeting> {
  const host = await newUser(web.url, "Bea Host");
  const created = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Failover", maxParticipants: 10, p2pMaxParticipants: 0 });
  const b = await newPage(browser, contexts, host.cookie);
  await join(b, web.url, created.code);
  const ownerId = await poll("a media owner", () => meetingOwner(created.id));
  const ownerPort = await portOf(ownerId);
  if ((await presenceOf(created.id, await peerIdOf(b))) !== ownerId) {
    // the owner is the least loaded node, not necessarily B's: B reloads onto it
    balancer.prefer(ownerPort);
    await join(b, web.url, created.code);
  }
  const otherPort = [...nodes.keys()].find((p) => p !== ownerPort)!;
  balancer.prefer(otherPort);
  const a = await newPage(browser, contexts);
  await join(a, web.url, created.code, "Ada Guest");
  balancer.prefer(ownerPort);
  const c = await newPage(browser, contexts);
  await join(c, web.url, created.code, "Cy Guest");
  balancer.prefer(null);
  const pages = { a, b, c };
  for (const [name, page] of Object.entries(pages)) logMediaWarnings(name, page);
  const peerIds = { a: await peerIdOf(a), b: await peerIdOf(b), c: await peerIdOf(c) };
  await Promise.all(Object.values(pages).map((p) => expectDecoding(p, 2, 30_000)));
  // where each socket is, as the servers see it
  expect(await presenceOf(created.id, peerIds.a)).toBe(await nodeIdOf(nodes.get(otherPort)!));
  expect(await presenceOf(created.id, peerIds.b)).toBe(ownerId);
  return { id: created.id, pages, peerIds, ownerPort, otherPort };
}

/** How long after `since` every page shows every remote video decoding again (confirmed over a 1.5 s window, included). */
async function allDecodingAfter(m: Meeting, since: number, timeout = 40_000): Promise<Record<string, number>> {
  const at: Record<string, number> = {};
  await Promise.all(
    Object.entries(m.pages).map(async ([name, page]) => {
      await expectDecoding(page, 2, timeout).catch(async (error: unknown) => {
        console.log(`[failover] ${name} not decoding; peers ${JSON.stringify(m.peerIds)}`);
        for (const [other, p] of Object.entries(m.pages)) {
          const state = await p.evaluate(() => ({
            topology: window.__qualmeet!.topology?.(),
            log: (window.__qualmeet as unknown as { engine?: { recoveryLog: unknown } }).engine?.recoveryLog,
          }));
          console.log(`[failover] ${other}: ${JSON.stringify({ state, stats: await p.evaluate(() => window.__qualmeet!.stats()) })}`);
        }
        throw error;
      });
      at[name] = Date.now() - since;
    }),
  );
  return at;
}

// ---- tests -----------------------------------------------------------------------------------------------

describe("failover between realtime nodes", () => {
  test("SIGKILL of the node holding A's socket: A is back on the other node with its media; nobody sees A leave", { timeout: 240_000 }, async () => {
    const m = await meetingOfThree();
    const seenByB = watchJoinsAndLeaves(m.pages.b);
    const killed = nodes.get(m.otherPort)!;
    const killedAt = Date.now();
    killed.process.child.kill("SIGKILL");
    await killed.process.exited;
    nodes.set(m.otherPort, null);

    // A's socket comes back through the balancer, to the surviving node, as the same participant
    const ownerId = await nodeIdOf(nodes.get(m.ownerPort)!);
    await poll("A's socket on the surviving node", async () => (await presenceOf(m.id, m.peerIds.a)) === ownerId, 30_000);
    const socketBackMs = Date.now() - killedAt;
    await connectionState(m.pages.a, "Connected", 30_000);
    const connectedMs = Date.now() - killedAt;
    const decodingMs = await allDecodingAfter(m, killedAt);
    expect(await peerIdOf(m.pages.a)).toBe(m.peerIds.a);
    console.log(
      `[failover] SIGKILL of A's socket node: A's socket back on the other node after ${socketBackMs} ms, "Connected" after ${connectedMs} ms; all remote videos decoding (ms after the kill): ${JSON.stringify(decodingMs)}`,
    );

    // past the grace window (5 s) and a dead-node sweep (every 10 s): still nobody left or joined
    await m.pages.b.waitForTimeout(Math.max(0, killedAt + 16_000 - Date.now()));
    expect(seenByB).toEqual([]);
    const list = m.pages.b.getByRole("list", { name: "People in the meeting" });
    await expect(list.locator(`li[data-peer-id="${m.peerIds.a}"]`).count()).resolves.toBe(1);
    await Promise.all(Object.values(m.pages).map((p) => expectDecoding(p, 2)));
  });

  test("SIGTERM of the media owner: the meeting moves to the other node and every video decodes again", { timeout: 240_000 }, async () => {
    const m = await meetingOfThree();
    const seenByA = watchJoinsAndLeaves(m.pages.a);
    const drained = nodes.get(m.ownerPort)!;
    const survivorId = await nodeIdOf(nodes.get(m.otherPort)!);
    const termAt = Date.now();
    const stopped = drained.stop("SIGTERM");
    await poll("the other node owns the meeting", async () => (await meetingOwner(m.id)) === survivorId, 30_000);
    const ownerMovedMs = Date.now() - termAt;
    const decodingMs = await allDecodingAfter(m, termAt);
    await stopped;
    const exitedMs = Date.now() - termAt;
    nodes.set(m.ownerPort, null);
    for (const page of Object.values(m.pages)) await connectionState(page, "Connected", 30_000);
    // everyone's socket is on the surviving node, as the same participant
    for (const name of ["a", "b", "c"] as const) {
      await poll(`${name}'s socket on the surviving node`, async () => (await presenceOf(m.id, m.peerIds[name])) === survivorId, 30_000);
      expect(await peerIdOf(m.pages[name])).toBe(m.peerIds[name]);
    }
    console.log(
      `[failover] SIGTERM of the media owner: owner moved after ${ownerMovedMs} ms, node exited after ${exitedMs} ms; all remote videos decoding (ms after SIGTERM): ${JSON.stringify(decodingMs)}`,
    );
    expect(seenByA).toEqual([]);
    expect(balancer.openTargets().every((p) => p === m.otherPort)).toBe(true);
  });

  test("A's network cut for 3 s (its socket closed from the server's side): nobody sees A leave or join", { timeout: 180_000 }, async () => {
    const m = await meetingOfThree();
    const seenByB = watchJoinsAndLeaves(m.pages.b);
    const cutAt = Date.now();
    // A is the only one on the other node: its socket drops and no new one gets through for 3 s
    balancer.cut(m.otherPort, 3000);
    await connectionState(m.pages.a, "Reconnecting");
    await connectionState(m.pages.a, "Connected", 30_000);
    const backMs = Date.now() - cutAt;
    expect(await peerIdOf(m.pages.a)).toBe(m.peerIds.a);
    await poll("A present", async () => !!(await presenceOf(m.id, m.peerIds.a)));
    await Promise.all(Object.values(m.pages).map((p) => expectDecoding(p, 2)));
    console.log(`[failover] network cut for 3 s: A "Connected" again ${backMs} ms after the cut`);
    await m.pages.b.waitForTimeout(Math.max(0, cutAt + 8000 - Date.now()));
    expect(seenByB).toEqual([]);
  });
});

// The realtime node with real PostgreSQL, Redis and web app: cookie auth on the socket, Origin checks,
// revocation, and two nodes agreeing on who is online.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import WebSocket from "ws";
import { newUser, realtimeClient, webClient } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import type { OnlineUser } from "@qualmeet/api";

let web: WebServer;
let nodeA: RealtimeServer;
let nodeB: RealtimeServer;

beforeAll(async () => {
  web = await startWeb();
  [nodeA, nodeB] = await Promise.all([startRealtime({ allowedOrigins: [web.url] }), startRealtime({ allowedOrigins: [web.url] })]);
});

afterAll(async () => {
  await Promise.all([nodeA?.stop(), nodeB?.stop(), web?.stop()]);
});

/** Collects presence snapshots until one satisfies `done`. */
function watchOnline(connection: ReturnType<typeof realtimeClient>) {
  const snapshots: OnlineUser[][] = [];
  let error: unknown = null;
  const waiters: Array<() => void> = [];
  const sub = connection.client.presence.online.subscribe(undefined, {
    onData: (users) => {
      snapshots.push(users);
      waiters.splice(0).forEach((w) => w());
    },
    onError: (e) => {
      error = e;
      waiters.splice(0).forEach((w) => w());
    },
  });
  return {
    sub,
    get error() {
      return error;
    },
    async until(done: (users: OnlineUser[]) => boolean, timeoutMs = 10_000): Promise<OnlineUser[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const last = snapshots[snapshots.length - 1];
        if (last && done(last)) return last;
        if (error) throw error;
        if (Date.now() > deadline) throw new Error(`presence did not converge; last snapshot: ${JSON.stringify(last)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 250);
        });
      }
    },
  };
}

function rawUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number } | { open: true }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.close();
      resolve({ open: true });
    });
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once("error", (e) => reject(e));
  });
}

describe("realtime socket authentication", () => {
  test("a valid session cookie identifies the user on the socket", async () => {
    const alice = await newUser(web.url, "Alice");
    const conn = realtimeClient(nodeA.wsUrl, { cookie: alice.cookie, origin: web.url });
    try {
      const me = await conn.client.auth.me.query();
      expect(me).toMatchObject({ id: alice.id, name: "Alice", email: alice.email, isGuest: false });
    } finally {
      await conn.close();
    }
  });

  test("without a cookie the socket is anonymous and protected calls answer UNAUTHORIZED", async () => {
    const conn = realtimeClient(nodeA.wsUrl, { origin: web.url });
    try {
      expect(await conn.client.auth.me.query()).toBeNull();
      const watcher = watchOnline(conn);
      await expect(watcher.until(() => true)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" }, message: expect.stringMatching(/not signed in/i) });
      watcher.sub.unsubscribe();
    } finally {
      await conn.close();
    }
  });

  test("a tampered cookie is treated as signed out", async () => {
    const alice = await newUser(web.url, "Mallory");
    const tampered = alice.cookie.replace(/(session-token=)([^;]{10})/, (_m, name: string, start: string) => name + start.split("").reverse().join(""));
    const conn = realtimeClient(nodeA.wsUrl, { cookie: tampered, origin: web.url });
    try {
      expect(await conn.client.auth.me.query()).toBeNull();
    } finally {
      await conn.close();
    }
  });

  test("a foreign Origin is refused before the socket opens", async () => {
    const alice = await newUser(web.url, "Origin Tester");
    expect(await rawUpgrade(nodeA.wsUrl, { origin: "http://evil.example", cookie: alice.cookie })).toEqual({ status: 403 });
    expect(await rawUpgrade(nodeA.wsUrl, { cookie: alice.cookie })).toEqual({ status: 403 });
    expect(await rawUpgrade(nodeA.wsUrl, { origin: web.url, cookie: alice.cookie })).toEqual({ open: true });
  });

  test("after the token version changes, open sockets are closed and the old cookie no longer works", async () => {
    const bob = await newUser(web.url, "Bob");
    const ws = new WebSocket(nodeA.wsUrl, { headers: { origin: web.url, cookie: bob.cookie } });
    const closed = new Promise<number>((resolve, reject) => {
      ws.once("close", (code) => resolve(code));
      ws.once("error", reject);
    });
    // the node registers the socket for its user as it accepts it
    await new Promise((resolve) => ws.once("open", resolve));
    await webClient(web.url, bob.cookie).auth.signOutEverywhere.mutate();
    expect(await closed).toBe(4401);

    const conn = realtimeClient(nodeA.wsUrl, { cookie: bob.cookie, origin: web.url });
    try {
      expect(await conn.client.auth.me.query()).toBeNull();
      const watcher = watchOnline(conn);
      await expect(watcher.until(() => true)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
      watcher.sub.unsubscribe();
    } finally {
      await conn.close();
    }
    // and the web app refuses the old cookie too
    await expect(webClient(web.url, bob.cookie).meeting.listMine.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });
});

describe("presence across realtime nodes", () => {
  test("two nodes on one Redis agree on which contacts are online", async () => {
    const carol = await newUser(web.url, "Carol");
    const dave = await newUser(web.url, "Dave");
    // presence is shown to contacts only: they share a DM
    await webClient(web.url, carol.cookie).chat.createDirect.mutate({ userId: dave.id });
    const onA = realtimeClient(nodeA.wsUrl, { cookie: carol.cookie, origin: web.url });
    const onB = realtimeClient(nodeB.wsUrl, { cookie: dave.cookie, origin: web.url });
    const watchA = watchOnline(onA);
    const watchB = watchOnline(onB);
    try {
      // each sees the other (on the other node), not themselves
      const seenByA = await watchA.until((users) => users.some((u) => u.id === dave.id));
      const seenByB = await watchB.until((users) => users.some((u) => u.id === carol.id));
      expect(seenByA).toEqual([{ id: dave.id, name: "Dave", isGuest: false }]);
      expect(seenByB).toEqual([{ id: carol.id, name: "Carol", isGuest: false }]);

      // Dave's only socket (on node B) closes: node A's subscriber sees him go
      watchB.sub.unsubscribe();
      await onB.close();
      expect(await watchA.until((users) => !users.some((u) => u.id === dave.id))).toEqual([]);
    } finally {
      watchA.sub.unsubscribe();
      await onA.close();
      await onB.close();
    }
  });

  test("a node that dies without saying goodbye is swept, and its users go offline elsewhere", async () => {
    const erin = await newUser(web.url, "Erin");
    const frank = await newUser(web.url, "Frank");
    await webClient(web.url, erin.cookie).chat.createDirect.mutate({ userId: frank.id });
    const doomed = await startRealtime({ allowedOrigins: [web.url] });
    const onDoomed = realtimeClient(doomed.wsUrl, { cookie: frank.cookie, origin: web.url });
    const onA = realtimeClient(nodeA.wsUrl, { cookie: erin.cookie, origin: web.url });
    const watchA = watchOnline(onA);
    const watchDoomed = watchOnline(onDoomed);
    try {
      await watchA.until((users) => users.some((u) => u.id === frank.id));
      await doomed.stop("SIGKILL");
      // heartbeat TTL is 30 s and a live node sweeps every 10 s
      await watchA.until((users) => !users.some((u) => u.id === frank.id), 45_000);
    } finally {
      watchA.sub.unsubscribe();
      watchDoomed.sub.unsubscribe();
      await onA.close();
      await onDoomed.close();
    }
  }, 60_000);
});

test("a silent socket is pinged, kept while it answers, and dropped once it stops answering", async () => {
  const node = await startRealtime({ allowedOrigins: [web.url], env: { WS_PING_MS: "1000", WS_PONG_WAIT_MS: "1000" } });
  try {
    const user = await newUser(web.url, "Quiet");
    const ws = new WebSocket(node.wsUrl, { headers: { cookie: user.cookie, origin: web.url } });
    let answering = true;
    let pings = 0;
    ws.on("message", (data) => {
      if (String(data) !== "PING") return;
      pings++;
      if (answering) ws.send("PONG");
    });
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    await new Promise((resolve) => ws.once("open", resolve));
    // a third ping comes only if the answered ones kept the socket past their pong wait
    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(3), { timeout: 15_000, interval: 50 });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    answering = false;
    // the next ping goes unanswered: the server drops the socket
    await closed;
  } finally {
    await node.stop();
  }
});

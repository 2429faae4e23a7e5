// What one client may hold on a realtime node, with real PostgreSQL, Redis and web app: open sockets per address
// (an IPv6 client's whole /64) and per account, subscriptions per socket, requests per message, and the time a
// socket without a session may stay. Each refusal names its limit, and the person next door is still served.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import WebSocket from "ws";
import { newUser } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
/** small socket caps; client addresses come from X-Forwarded-For (one trusted proxy), as behind a load balancer */
let capped: RealtimeServer;
/** a short time to sign in, and small per-socket caps */
let strict: RealtimeServer;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  web = await startWeb();
  [capped, strict] = await Promise.all([
    startRealtime({
      allowedOrigins: [web.url],
      env: { MEDIA_WORKERS: "0", REALTIME_TRUSTED_PROXIES: "127.0.0.1,::1", WS_MAX_SOCKETS_PER_IP: "3", WS_MAX_SOCKETS_PER_USER: "2", WS_AUTH_TIMEOUT_MS: "600000" },
    }),
    startRealtime({ allowedOrigins: [web.url], env: { MEDIA_WORKERS: "0", WS_AUTH_TIMEOUT_MS: "1000", WS_MAX_SUBSCRIPTIONS_PER_SOCKET: "3", WS_MAX_REQUESTS_PER_MESSAGE: "5" } }),
  ]);
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await Promise.all([capped?.stop(), strict?.stop(), web?.stop()]);
});

interface Answer {
  id: number | null;
  result?: { type: string; data?: { json?: unknown } };
  /** superjson's wrapping of tRPC's error shape */
  error?: { json: { message: string; data?: { code: string } } };
}

/** A raw socket as a page would open it (from `from` when given, through the trusted proxy). */
async function open(node: RealtimeServer, options: { cookie?: string; from?: string } = {}) {
  const headers: Record<string, string> = { origin: web.url };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.from) headers["x-forwarded-for"] = options.from;
  const ws = new WebSocket(node.wsUrl, { headers });
  sockets.push(ws);
  const answers: Answer[] = [];
  ws.on("message", (data) => {
    if (String(data) !== "PING") answers.push(JSON.parse(String(data)) as Answer);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 1;
  return {
    ws,
    answers,
    closed,
    send: (message: unknown) => ws.send(JSON.stringify(message)),
    /** Who the node says this socket is (the socket is served), or "closed" when the node closes it instead. */
    me(): Promise<unknown> {
      const id = nextId++;
      ws.send(JSON.stringify(request(id, "query", "auth.me")));
      return new Promise((resolve) => {
        const onAnswer = (data: WebSocket.RawData) => {
          const answer = JSON.parse(String(data)) as Answer;
          if (answer.id !== id) return;
          ws.off("message", onAnswer);
          resolve(answer.result?.data?.json);
        };
        ws.on("message", onAnswer);
        void closed.then(() => resolve("closed"));
      });
    },
  };
}

/** A request as the tRPC client sends it (superjson: no input is `{}`). */
const request = (id: number, method: "query" | "subscription", path: string) => ({ id, method, params: { path, input: {} } });

const closeAndWait = async (socket: Awaited<ReturnType<typeof open>>) => {
  socket.ws.close();
  await socket.closed;
};

describe("open sockets", () => {
  test("an account gets its cap of sockets from any address; one more is closed with the limit; another account on the same machine is served", async () => {
    const [alice, bob] = await Promise.all([newUser(web.url, "Alice Tabs"), newUser(web.url, "Bob Nextdoor")]);
    const first = await open(capped, { cookie: alice.cookie, from: "198.51.100.1" });
    await open(capped, { cookie: alice.cookie, from: "198.51.100.2" });
    const third = await open(capped, { cookie: alice.cookie, from: "198.51.100.1" });
    expect(await third.closed).toEqual({ code: 4429, reason: "Too many connections for your account (limit 2). Close some QualMeet tabs." });

    const neighbour = await open(capped, { cookie: bob.cookie, from: "198.51.100.1" });
    expect(await neighbour.me()).toMatchObject({ id: bob.id });
    // Alice's first socket still works, and once she closes one, a new one is hers
    expect(await first.me()).toMatchObject({ id: alice.id });
    await closeAndWait(first);
    // the node counts the socket until its TCP connection has closed too
    await vi.waitFor(async () => expect(await (await open(capped, { cookie: alice.cookie, from: "198.51.100.3" })).me()).toMatchObject({ id: alice.id }), {
      timeout: 10_000,
      interval: 100,
    });
  });

  test("an address gets its cap of sockets, an IPv6 client its /64's; one more is closed with the limit; other addresses are served", async () => {
    const carol = await newUser(web.url, "Carol Office");
    for (let i = 0; i < 3; i++) await open(capped, { from: "203.0.113.7" });
    const refused = await open(capped, { cookie: carol.cookie, from: "203.0.113.7" });
    expect(await refused.closed).toEqual({ code: 4429, reason: "Too many connections from your network (limit 3). Close some QualMeet tabs." });
    expect(await (await open(capped, { cookie: carol.cookie, from: "203.0.113.8" })).me()).toMatchObject({ id: carol.id });

    // the addresses of one /64 are one client's
    for (const from of ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:3"]) await open(capped, { from });
    expect((await (await open(capped, { from: "2001:db8:1:2::9" })).closed).code).toBe(4429);
    expect(await (await open(capped, { from: "2001:db8:1:3::1" })).me()).toBeNull();
  });
});

describe("one socket", () => {
  test("a socket without a session may ask who it is, and is closed when its time to sign in ends; a signed-in one stays", async () => {
    const dave = await newUser(web.url, "Dave Stays");
    const signedIn = await open(strict, { cookie: dave.cookie });
    const anonymous = await open(strict);
    expect(await anonymous.me()).toBeNull();
    expect(await anonymous.closed).toEqual({ code: 4401, reason: "Not signed in: a connection must sign in or join as a guest within 1 s." });
    // opened together: the signed-in socket's second is over as well, and it is still served
    expect(await signedIn.me()).toMatchObject({ id: dave.id });
  });

  test("a message with more requests than the limit closes the socket with the limit and runs none; a batch within it is answered", async () => {
    const erin = await newUser(web.url, "Erin Batch");
    const batch = (n: number) => Array.from({ length: n }, (_, i) => request(100 + i, "query", "auth.me"));
    const abuser = await open(strict, { cookie: erin.cookie });
    abuser.send(batch(6));
    expect(await abuser.closed).toEqual({ code: 4413, reason: "Too many requests in one message (6, limit 5)." });
    expect(abuser.answers).toEqual([]);

    const polite = await open(strict, { cookie: erin.cookie });
    polite.send(batch(5));
    await vi.waitFor(() => expect(polite.answers).toHaveLength(5));
    expect(polite.answers.every((a) => (a.result?.data?.json as { id?: string } | undefined)?.id === erin.id)).toBe(true);
  });

  test("one subscription beyond the limit is refused with the limit, and the others keep streaming", async () => {
    const frank = await newUser(web.url, "Frank Subs");
    const socket = await open(strict, { cookie: frank.cookie });
    socket.send([1, 2, 3, 4].map((id) => request(id, "subscription", "presence.online")));
    await vi.waitFor(() => expect(socket.answers.find((a) => a.error)).toBeDefined());
    const refused = socket.answers.find((a) => a.error)!;
    expect(refused).toMatchObject({ id: 4, error: { json: { data: { code: "TOO_MANY_REQUESTS" } } } });
    expect(refused.error!.json.message).toBe("This connection already has 3 live subscriptions, the most one connection may hold. Close a chat or meeting you are not using.");
    // the refusal changed nothing: the three started, and the socket is still served
    await vi.waitFor(() =>
      expect(
        socket.answers
          .filter((a) => a.result?.type === "started")
          .map((a) => a.id)
          .sort(),
      ).toEqual([1, 2, 3]),
    );
    expect(await socket.me()).toMatchObject({ id: frank.id });
  });
});

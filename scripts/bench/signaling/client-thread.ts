// A thread of simulated meeting clients for scripts/bench/signaling.ts. Each client is its own WebSocket
// (package `ws`, no tRPC/Socket.IO client library) speaking the server's wire format directly:
//   qualmeet: tRPC's WebSocket JSON-RPC (superjson `{ json }` inputs/outputs): `room.join` mutation,
//             `room.events` subscription, `room.playback` mutation (a shared link: an event for everyone in
//             the meeting, the text in its URL; the host's `room.setPlaybackAllowed` lets everyone send one);
//             answers the server's "PING" with "PONG".
//   socketio: Engine.IO v4 / Socket.IO v5 packets over a websocket-only transport: "40" connect,
//             `42N["join",room]` / `42N["chat",{room,text}]` with acks, `42["chat",text]` deliveries, "2"->"3".
// A thread owns whole meetings, so a message's sender and all its receivers share this thread's clock
// (performance.now()): the send time travels in the chat text and latency = receive time - send time.
import { parentPort, workerData } from "node:worker_threads";
import WebSocket from "ws";
import { HIST_BUCKETS, histBucket, type ClientSpec, type MeetingSpec, type StepStats, type ThreadInit, type ThreadReply, type ThreadRequest } from "./protocol.ts";

interface Client {
  spec: ClientSpec;
  meeting: MeetingSpec;
  ws: WebSocket | null;
  ready: boolean;
  // qualmeet
  meetingId: string;
  peerId: string;
  nextId: number;
  subId: number;
  // both: request id -> step (chat) or a resolver (join)
  pendingChat: Map<number, number>;
  pendingCall: Map<number, (reply: { ok: boolean; data?: unknown; error?: string }) => void>;
  seq: number;
  /** sender client id -> last sequence number received from it */
  lastSeq: Map<number, number>;
}

const init = workerData as ThreadInit;
const port = parentPort!;
const meetingsByIndex = new Map(init.meetings.map((m) => [m.index, m]));
const clients: Client[] = init.clients.map((spec) => ({
  spec,
  meeting: meetingsByIndex.get(spec.meeting)!,
  ws: null,
  ready: false,
  meetingId: "",
  peerId: "",
  nextId: 1,
  subId: 0,
  pendingChat: new Map(),
  pendingCall: new Map(),
  seq: 0,
  lastSeq: new Map(),
}));
const steps = new Map<number, StepStats>();

function stepStats(step: number): StepStats {
  let s = steps.get(step);
  if (!s) {
    s = { step, sent: 0, expected: 0, delivered: 0, outOfOrder: 0, sendErrors: 0, errorSamples: [], hist: new Uint32Array(HIST_BUCKETS), maxMs: 0, sendMs: 0 };
    steps.set(step, s);
  }
  return s;
}

function sendError(step: number, message: string): void {
  const s = stepStats(step);
  s.sendErrors++;
  if (s.errorSamples.length < 5) s.errorSamples.push(message);
}

/** A chat text arrived at `receiver`: "<step>|<send ms>|<sender id>|<seq>". */
function onChat(receiver: Client, text: string): void {
  const now = performance.now();
  const a = text.indexOf("|");
  const b = text.indexOf("|", a + 1);
  const c = text.indexOf("|", b + 1);
  if (a < 0 || b < 0 || c < 0) return;
  const step = Number(text.slice(0, a));
  const sentAt = Number(text.slice(a + 1, b));
  const sender = Number(text.slice(b + 1, c));
  const seq = Number(text.slice(c + 1));
  const s = stepStats(step);
  s.delivered++;
  const last = receiver.lastSeq.get(sender) ?? -1;
  if (seq <= last) s.outOfOrder++;
  else receiver.lastSeq.set(sender, seq);
  const ms = now - sentAt;
  if (ms > s.maxMs) s.maxMs = ms;
  s.hist[histBucket(ms)]!++;
}

// ---------------------------------------------------------------------------------------------------
// QualMeet: tRPC over WebSocket

function qmCall(c: Client, method: "mutation" | "subscription", path: string, input: unknown): { id: number; reply: Promise<{ ok: boolean; data?: unknown; error?: string }> } {
  const id = c.nextId++;
  const reply = new Promise<{ ok: boolean; data?: unknown; error?: string }>((resolve) => c.pendingCall.set(id, resolve));
  c.ws!.send(JSON.stringify({ id, method, params: { path, input: { json: input } } }));
  return { id, reply };
}

interface TrpcMessage {
  id?: number | string | null;
  result?: { type: "started" | "stopped" | "data"; data?: { json?: unknown } };
  error?: { json?: { message?: string } };
}

function qmOnMessage(c: Client, raw: string): void {
  if (raw === "PING") {
    c.ws?.send("PONG");
    return;
  }
  const msg = JSON.parse(raw) as TrpcMessage;
  const id = Number(msg.id);
  if (id === c.subId && c.subId !== 0) {
    if (msg.result?.type === "data") {
      // tracked(): { id, data: event }
      const event = (msg.result.data?.json as { data?: { type?: string; playback?: { url?: string | null } } } | undefined)?.data;
      const url = event?.type === "playback" ? event.playback?.url : null;
      if (url?.startsWith(SHARED_URL)) onChat(c, decodeURIComponent(url.slice(SHARED_URL.length)));
    } else if (msg.error) {
      subscriptionErrors.push(msg.error.json?.message ?? "subscription error");
    } else if (msg.result?.type === "started") {
      c.pendingCall.get(id)?.({ ok: true });
      c.pendingCall.delete(id);
    }
    return;
  }
  const step = c.pendingChat.get(id);
  if (step !== undefined) {
    c.pendingChat.delete(id);
    if (msg.error) sendError(step, msg.error.json?.message ?? "chat error");
    return;
  }
  const call = c.pendingCall.get(id);
  if (call) {
    c.pendingCall.delete(id);
    if (msg.error) call({ ok: false, error: msg.error.json?.message ?? "error" });
    else call({ ok: true, data: msg.result?.data?.json });
  }
}

async function qmSetup(c: Client): Promise<void> {
  const join = await qmCall(c, "mutation", "room.join", { code: c.meeting.code }).reply;
  if (!join.ok) throw new Error(`room.join: ${join.error}`);
  const data = join.data as { meeting: { id: string }; self: { peerId: string; isHost: boolean }; lastEventId: string };
  c.meetingId = data.meeting.id;
  c.peerId = data.self.peerId;
  // only the host shares links until the host lets everyone (every client of the bench sends them)
  if (data.self.isHost) {
    const allowed = await qmCall(c, "mutation", "room.setPlaybackAllowed", { meetingId: c.meetingId, peerId: c.peerId, allowed: true }).reply;
    if (!allowed.ok) throw new Error(`room.setPlaybackAllowed: ${allowed.error}`);
  }
  const sub = qmCall(c, "subscription", "room.events", { meetingId: c.meetingId, peerId: c.peerId, lastEventId: data.lastEventId });
  c.subId = sub.id;
  const started = await withTimeout(sub.reply, 15_000, "room.events did not start");
  if (!started.ok) throw new Error(`room.events: ${started.error}`);
}

/** The bench's text travels in a shared link's URL. */
const SHARED_URL = "https://bench.example/";

function qmSendChat(c: Client, step: number, text: string): void {
  const id = c.nextId++;
  c.pendingChat.set(id, step);
  const input = { meetingId: c.meetingId, peerId: c.peerId, url: SHARED_URL + encodeURIComponent(text), playing: true, position: 0 };
  c.ws!.send(JSON.stringify({ id, method: "mutation", params: { path: "room.playback", input: { json: input } } }));
}

// ---------------------------------------------------------------------------------------------------
// Socket.IO baseline: Engine.IO v4 packets over a websocket

const roomName = (c: Client) => `m${c.meeting.index}`;

function sioOnMessage(c: Client, raw: string, connected: () => void): void {
  const kind = raw[0];
  if (kind === "2") {
    c.ws?.send("3");
    return;
  }
  if (kind === "0") {
    c.ws?.send("40");
    return;
  }
  if (kind !== "4") return;
  const packet = raw[1];
  if (packet === "0") {
    connected();
    return;
  }
  if (packet === "2") {
    // 42["chat","text"]
    const args = JSON.parse(raw.slice(2)) as [string, unknown];
    if (args[0] === "chat" && typeof args[1] === "string") onChat(c, args[1]);
    return;
  }
  if (packet === "3") {
    // 43<id>[...]
    const bracket = raw.indexOf("[");
    const id = Number(raw.slice(2, bracket));
    const step = c.pendingChat.get(id);
    if (step !== undefined) {
      c.pendingChat.delete(id);
      return;
    }
    const call = c.pendingCall.get(id);
    c.pendingCall.delete(id);
    call?.({ ok: true, data: JSON.parse(raw.slice(bracket)) });
    return;
  }
  if (packet === "4") connectErrors.push(raw.slice(2));
}

async function sioSetup(c: Client): Promise<void> {
  const id = c.nextId++;
  const reply = new Promise<{ ok: boolean }>((resolve) => c.pendingCall.set(id, resolve));
  c.ws!.send(`42${id}${JSON.stringify(["join", roomName(c)])}`);
  await withTimeout(reply, 15_000, "join was not acknowledged");
}

function sioSendChat(c: Client, step: number, text: string): void {
  const id = c.nextId++;
  c.pendingChat.set(id, step);
  c.ws!.send(`42${id}${JSON.stringify(["chat", { room: roomName(c), text }])}`);
}

// ---------------------------------------------------------------------------------------------------

const subscriptionErrors: string[] = [];
const connectErrors: string[] = [];

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

function open(c: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin: init.origin };
    if (c.spec.cookie) headers.cookie = c.spec.cookie;
    const url = init.system === "socketio" ? `${c.spec.url}/socket.io/?EIO=4&transport=websocket` : c.spec.url;
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    c.ws = ws;
    let settled = false;
    const timer = setTimeout(() => fail(new Error("connect timed out")), 20_000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    ws.on("unexpected-response", (_req, res) => fail(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.on("error", (error) => fail(error));
    ws.on("close", (code, reason) => {
      if (!settled) fail(new Error(`closed ${code} ${reason.toString()}`));
      else if (c.ready && !closing) unexpectedCloses.push(`${code} ${reason.toString()}`);
      c.ready = false;
    });
    if (init.system === "qualmeet") {
      ws.on("open", done);
      ws.on("message", (data) => qmOnMessage(c, data.toString()));
    } else {
      ws.on("message", (data) => sioOnMessage(c, data.toString(), done));
    }
  });
}

const unexpectedCloses: string[] = [];
let closing = false;

async function connectAll(): Promise<ThreadReply> {
  const start = performance.now();
  const errors: string[] = [];
  let ok = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const c = clients[next++]!;
      try {
        await open(c);
        if (init.system === "qualmeet") await qmSetup(c);
        else await sioSetup(c);
        c.ready = true;
        ok++;
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(`client ${c.spec.id} (${c.spec.url}): ${error instanceof Error ? error.message : String(error)}`);
        c.ws?.terminate();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(init.concurrency, clients.length) }, worker));
  return { type: "connected", ok, failed, errors, ms: performance.now() - start };
}

/**
 * Sends for `durationMs`: every ready client once per `intervalMs`, the sends spread evenly over the
 * interval (client order shuffled so that consecutive sends come from different meetings).
 */
function runStep(step: number, intervalMs: number, durationMs: number): Promise<ThreadReply> {
  const senders = shuffle(clients.filter((c) => c.ready));
  const n = senders.length;
  const s = stepStats(step);
  const total = Math.floor((durationMs / intervalMs) * n);
  return new Promise((resolve) => {
    if (n === 0) return resolve({ type: "ran", step, sent: 0, sendMs: 0 });
    const t0 = performance.now();
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) / intervalMs) * n));
      while (s.sent < due) {
        const c = senders[s.sent % n]!;
        if (c.ready) {
          const text = `${step}|${performance.now().toFixed(3)}|${c.spec.id}|${c.seq++}`;
          if (init.system === "qualmeet") qmSendChat(c, step, text);
          else sioSendChat(c, step, text);
        } else sendError(step, "socket closed");
        s.sent++;
        s.expected += c.meeting.members;
      }
      if (s.sent >= total) {
        s.sendMs = performance.now() - t0;
        resolve({ type: "ran", step, sent: s.sent, sendMs: s.sendMs });
      } else setTimeout(tick, 1);
    };
    tick();
  });
}

function shuffle<T>(items: T[]): T[] {
  // deterministic (seeded by the list length) so runs are comparable
  let seed = items.length * 2654435761;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function closeAll(): Promise<void> {
  closing = true;
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          const ws = c.ws;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 3000);
          ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close(1000);
        }),
    ),
  );
}

port.on("message", (request: ThreadRequest) => {
  const reply = (r: ThreadReply) => port.postMessage(r);
  const fatal = (error: unknown) => reply({ type: "fatal", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  switch (request.type) {
    case "connect":
      connectAll().then(reply, fatal);
      break;
    case "run":
      runStep(request.step, request.intervalMs, request.durationMs).then(reply, fatal);
      break;
    case "collect": {
      const stats = stepStats(request.step);
      if (subscriptionErrors.length)
        stats.errorSamples.push(
          ...subscriptionErrors
            .splice(0)
            .slice(0, 3)
            .map((e) => `subscription: ${e}`),
        );
      if (unexpectedCloses.length)
        stats.errorSamples.push(
          ...unexpectedCloses
            .splice(0)
            .slice(0, 3)
            .map((e) => `socket closed: ${e}`),
        );
      if (connectErrors.length)
        stats.errorSamples.push(
          ...connectErrors
            .splice(0)
            .slice(0, 3)
            .map((e) => `connect_error: ${e}`),
        );
      reply({ type: "stats", stats: { ...stats, hist: stats.hist.slice(), errorSamples: stats.errorSamples.slice() } });
      break;
    }
    case "close":
      closeAll().then(() => reply({ type: "closed" }), fatal);
      break;
  }
});

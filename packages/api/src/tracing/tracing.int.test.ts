// OpenTelemetry traces across real processes: the web app and two realtime nodes export OTLP/HTTP to a receiver in
// this test. A chat send, a meeting join and a random match between people on different nodes are each one trace,
// whose spans come from every process that took part and link to their parents; the spans hold no message text,
// e-mail or secret. Two more nodes export to a collector that never answers and to a closed port: chat and
// joins through them work all the same.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChatEvent, MeetingEvent } from "@qualmeet/api";
import { createRedis } from "@qualmeet/api";
import { createDb } from "@qualmeet/db";
import { freePort } from "../../../../scripts/lib/ports.ts";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../../tests/harness/clients.ts";
import { clientSpan, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../../../../tests/harness/otlpReceiver.ts";
import { guestCookie, randomPerson, type RandomPerson } from "../../../../tests/harness/randomChat.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";

const SERVER = 2;
const CONSUMER = 5;

let receiver: OtlpReceiver;
let hanging: OtlpReceiver;
let web: WebServer;
let nodeA: RealtimeServer;
let nodeB: RealtimeServer;
const nodeIds = new Map<RealtimeServer, string>();
const open: Array<{ close(): Promise<void> }> = [];
const probe = createRedis({ url: process.env.REDIS_URL! }, "tracing-test-probe");
const db = createDb(process.env.DATABASE_URL!);
/** what must never be in a span: message texts, e-mails, passwords, cookies, the session secret */
const secrets = new Set<string>([process.env.NEXTAUTH_SECRET!]);

beforeAll(async () => {
  [receiver, hanging] = await Promise.all([startOtlpReceiver(), startOtlpReceiver({ hang: true })]);
  // searches widen after 1 s: a match found by a node's retry comes soon
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, MEDIA_WORKERS: "0", RATE_LIMIT_SCALE: "1000", RANDOM_WIDEN_MS: "1000" };
  web = await startWeb({ env });
  [nodeA, nodeB] = await Promise.all([startRealtime({ env, allowedOrigins: [web.url] }), startRealtime({ env, allowedOrigins: [web.url] })]);
  for (const node of [nodeA, nodeB]) nodeIds.set(node, (await healthDetails(node)).nodeId);
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([web?.stop(), nodeA?.stop(), nodeB?.stop()]);
  await Promise.all([receiver?.stop(), hanging?.stop()]);
  probe.disconnect();
  await db.$disconnect();
});

async function person(name: string) {
  const user = await newUser(web.url, name);
  secrets.add(user.email).add(user.password);
  for (const part of user.cookie.split("; ")) secrets.add(part.slice(part.indexOf("=") + 1));
  return user;
}

/** A socket; with `traceparent`, its requests carry that trace (as a traced client's would). */
function connect(at: RealtimeServer, cookie: string, traceparent?: () => string): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url, traceparent });
  open.push(connection);
  return connection;
}

async function until<T>(find: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The span named `name` from `service` (and node `at`, when given), which must be there exactly once. */
function only(spans: ReceivedSpan[], name: string, service: string, at?: RealtimeServer): ReceivedSpan {
  const found = spans.filter((s) => s.name === name && s.service === service && (at === undefined || s.instance === nodeIds.get(at)));
  expect(found, `${service} ${name}: ${spans.map((s) => `${s.service}/${s.name}`).join(", ")}`).toHaveLength(1);
  return found[0]!;
}

/** Every span's parent is `root` (the client's own span, "" for none) or another span of the trace: one tree. */
function expectOneTree(spans: ReceivedSpan[], root: string): void {
  const ids = new Set(spans.map((s) => s.spanId));
  const detached = spans.filter((s) => s.parentSpanId !== root && !ids.has(s.parentSpanId));
  expect(detached.map((s) => `${s.service}/${s.name}`)).toEqual([]);
  expect(spans.filter((s) => s.parentSpanId === root).length).toBeGreaterThan(0);
}

/** Whether `span` descends from the span `ancestorId` within `spans`. */
function descends(spans: ReceivedSpan[], span: ReceivedSpan, ancestorId: string): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let at: ReceivedSpan | undefined = span; at; at = byId.get(at.parentSpanId)) if (at.parentSpanId === ancestorId) return true;
  return false;
}

/** A chat tab of `user` on `at`, subscribed (its node listens to the user's channel in Redis) before this returns. */
async function chatTab(at: RealtimeServer, user: { id: string; cookie: string }, traceparent?: () => string) {
  const connection = connect(at, user.cookie, traceparent);
  const seen: ChatEvent[] = [];
  connection.client.chat.events.subscribe({}, { onData: ({ data }) => void seen.push(data) });
  await until(async () => ((await probe.pubsub("NUMSUB", `chat:user:${user.id}`)) as [string, number])[1] >= 1 || undefined, "the chat subscription");
  return { client: connection.client, seen };
}

/** The room events `connection`'s participant receives from now on. */
function roomEvents(connection: RealtimeConnection, meetingId: string, peerId: string, lastEventId: string) {
  const seen: MeetingEvent[] = [];
  connection.client.room.events.subscribe({ meetingId, peerId, lastEventId }, { onData: ({ data }) => void seen.push(data) });
  return seen;
}

describe("one trace per operation, across processes", () => {
  test("a chat send from node A to someone on node B: the send on A, the persister's write and the delivery on B share the trace", async () => {
    const [ann, bob] = [await person("Ann Tracer"), await person("Bob Tracer")];
    const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
    const bobTab = await chatTab(nodeB, bob);
    const annSocket = connect(nodeA, ann.cookie);
    const body = `a private line ${randomUUID()}`;
    secrets.add(body);
    const sent = await annSocket.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body });
    await until(() => bobTab.seen.find((e) => e.type === "message.new" && e.message.id === sent.id), "Bob's copy of the message");

    // the send was not traced by its client: its trace starts at the node that took it
    const send = await until(() => receiver.spans.find((s) => s.name === "trpc chat.send" && s.instance === nodeIds.get(nodeA)), "the send's span");
    const spans = await receiver.trace(send.traceId, (found) => found.some((s) => s.name === "chat.persist") && found.some((s) => s.name === "chat.event deliver"));
    expect(send).toMatchObject({ service: "qualmeet-realtime", kind: SERVER, parentSpanId: "" });
    const persist = only(spans, "chat.persist", "qualmeet-realtime");
    expect(persist).toMatchObject({ kind: CONSUMER, parentSpanId: send.spanId });
    // whichever node's persister took the outbox entry
    expect([nodeIds.get(nodeA), nodeIds.get(nodeB)]).toContain(persist.instance);
    const delivered = only(spans, "chat.event deliver", "qualmeet-realtime", nodeB);
    expect(delivered).toMatchObject({ kind: CONSUMER, parentSpanId: send.spanId, attributes: { "chat.event.type": "message.new" } });
    expectOneTree(spans, "");
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([send.traceId]));
  });

  test("a meeting join traced by its client: the web lookup, the join on node B and the notice on node A are one trace", async () => {
    const [host, member] = [await person("Hana Host"), await person("Milo Member")];
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Traced" });
    const hostSocket = connect(nodeA, host.cookie);
    const hosted = await hostSocket.client.room.join.mutate({ code: meeting.code });
    const hostSees = roomEvents(hostSocket, meeting.id, hosted.self.peerId, hosted.lastEventId);

    // the member's page looks the meeting up on the web app, then joins through node B, all in its own span
    const client = clientSpan();
    await webClient(web.url, member.cookie, { traceparent: client.traceparent }).meeting.get.query({ code: meeting.code });
    const memberSocket = connect(nodeB, member.cookie, () => client.traceparent);
    const joined = await memberSocket.client.room.join.mutate({ code: meeting.code });
    await until(() => hostSees.find((e) => e.type === "peer.joined" && e.peer.peerId === joined.self.peerId), "the host's peer.joined");

    // each process exports on its own schedule: wait for the spans of all three
    const spans = await receiver.trace(
      client.traceId,
      (found) =>
        found.some((s) => s.name === "trpc meeting.get") &&
        found.some((s) => s.name === "trpc room.join") &&
        found.some((s) => s.name === "meeting.event deliver" && s.instance === nodeIds.get(nodeA) && s.attributes["meeting.event.type"] === "peer.joined"),
    );
    const lookup = only(spans, "trpc meeting.get", "qualmeet-web");
    expect(descends(spans, lookup, client.spanId)).toBe(true);
    const join = only(spans, "trpc room.join", "qualmeet-realtime", nodeB);
    expect(join).toMatchObject({ kind: SERVER, parentSpanId: client.spanId });
    const notices = spans.filter((s) => s.name === "meeting.event deliver" && s.instance === nodeIds.get(nodeA) && s.attributes["meeting.event.type"] === "peer.joined");
    expect(notices).toHaveLength(1);
    // the notice on A descends from the join on B (directly, or through the media owner's node RPC)
    expect(descends(spans, notices[0]!, join.spanId)).toBe(true);
    expectOneTree(spans, client.spanId);
  });

  test("a random match: the second Start on node B matches someone waiting on node A, and both sides' notices are in its trace", async () => {
    const interest = `trace${randomUUID().slice(0, 8)}`;
    const preferences = { region: "europe" as const, language: "en", interests: [interest] };
    const people: RandomPerson[] = [];
    const client = clientSpan();
    try {
      const waiting = await randomPerson({ wsUrl: nodeA.wsUrl, origin: web.url, cookie: await guestCookie(web.url, "Wanda Waiting"), name: "Wanda" });
      people.push(waiting);
      const arriving = await randomPerson({
        wsUrl: nodeB.wsUrl,
        origin: web.url,
        cookie: await guestCookie(web.url, "Arlo Arriving"),
        name: "Arlo",
        traceparent: () => client.traceparent,
      });
      people.push(arriving);
      expect(await waiting.client.random.start.mutate({ deviceId: waiting.deviceId, preferences })).toEqual({ status: "searching" });
      expect(await arriving.client.random.start.mutate({ deviceId: arriving.deviceId, preferences })).toMatchObject({ status: "matched" });
      await Promise.all([waiting.waitFor("matched"), arriving.waitFor("matched")]);
      // the trace id stays on the server: pages get the match without it
      expect(JSON.stringify(waiting.matches())).not.toContain(client.traceId);

      const spans = await receiver.trace(
        client.traceId,
        (found) => found.some((s) => s.name === "trpc random.start") && found.filter((s) => s.name === "random.matched deliver").length >= 2,
      );
      const start = only(spans, "trpc random.start", "qualmeet-realtime", nodeB);
      expect(start).toMatchObject({ kind: SERVER, parentSpanId: client.spanId });
      for (const side of [nodeA, nodeB]) expect(only(spans, "random.matched deliver", "qualmeet-realtime", side)).toMatchObject({ kind: CONSUMER, parentSpanId: start.spanId });
      expectOneTree(spans, client.spanId);
    } finally {
      await Promise.all(people.map((p) => p.client.random.stop.mutate().then(() => p.close())));
    }
  });

  test("a random match found by a node's retry (after the searches widened) continues the trace of the Start that queued that person", async () => {
    const people: RandomPerson[] = [];
    try {
      for (const [name, at] of [
        ["Rita", nodeA],
        ["Rory", nodeB],
      ] as const) {
        const p = await randomPerson({ wsUrl: at.wsUrl, origin: web.url, cookie: await guestCookie(web.url, name), name });
        people.push(p);
        // interests nobody else has: they only meet once their searches accept anyone
        const preferences = { region: "europe" as const, language: "en", interests: [`only${randomUUID().slice(0, 8)}`] };
        expect(await p.client.random.start.mutate({ deviceId: p.deviceId, preferences })).toEqual({ status: "searching" });
      }
      const [rita, rory] = people as [RandomPerson, RandomPerson];
      const { matchId } = await rita.waitFor("matched");
      await rory.waitFor("matched", { where: (e) => e.matchId === matchId });

      const delivered = await until(() => receiver.spans.find((s) => s.name === "random.matched deliver" && s.attributes["random.match_id"] === matchId), "a notice of the match");
      const spans = await receiver.trace(
        delivered.traceId,
        (found) =>
          found.filter((s) => s.name === "random.matched deliver").length >= 2 && found.some((s) => s.name === "random.search retry" && s.attributes["random.state"] === "matched"),
      );
      // queue -> matcher -> both sides told: the press that queued, the retry that matched, the two notices
      const press = only(spans, "trpc random.start", "qualmeet-realtime");
      expect(press.parentSpanId).toBe("");
      const search = spans.find((s) => s.name === "random.search retry" && s.attributes["random.state"] === "matched")!;
      expect(search).toMatchObject({ parentSpanId: press.spanId, instance: press.instance });
      for (const side of [nodeA, nodeB]) expect(only(spans, "random.matched deliver", "qualmeet-realtime", side).parentSpanId).toBe(search.spanId);
      expectOneTree(spans, "");
    } finally {
      await Promise.all(people.map((p) => p.client.random.stop.mutate().then(() => p.close())));
    }
  });

  test("no span carries a message text, an e-mail address, a password, a cookie or the session secret", () => {
    expect(receiver.spans.length).toBeGreaterThan(0);
    const exported = JSON.stringify(receiver.spans);
    expect([...secrets].filter((secret) => exported.includes(secret))).toEqual([]);
    expect(exported).not.toMatch(/@example\.test/);
  });
});

describe("a broken collector", () => {
  let silent: RealtimeServer;
  let closed: RealtimeServer;

  beforeAll(async () => {
    const env = { MEDIA_WORKERS: "0", RATE_LIMIT_SCALE: "1000" };
    [silent, closed] = await Promise.all([
      startRealtime({ env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: hanging.url }, allowedOrigins: [web.url] }),
      startRealtime({ env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` }, allowedOrigins: [web.url] }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([silent?.stop(), closed?.stop()]);
  });

  test("a collector that never answers and one on a closed port fail no chat send, delivery, write or join", async () => {
    const [cleo, dev] = [await person("Cleo Closed"), await person("Dev Silent")];
    const dm = await webClient(web.url, cleo.cookie).chat.createDirect.mutate({ userId: dev.id });
    const devTab = await chatTab(silent, dev);
    const cleoTab = await chatTab(closed, cleo);
    const send = (tab: typeof devTab, body: string) => tab.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body });
    const first = await send(cleoTab, "before the collector hangs");
    await until(() => devTab.seen.find((e) => e.type === "message.new" && e.message.id === first.id), "the first message on the silent node");
    // the silent node's exporter now has an export the collector holds unanswered
    await until(() => (hanging.requests > 0 ? true : undefined), "an export to the silent collector");

    const answers = [await send(devTab, "while it hangs"), await send(cleoTab, "and back")];
    await until(() => cleoTab.seen.find((e) => e.type === "message.new" && e.message.id === answers[0]!.id), "Dev's message on the closed-port node");
    await until(() => devTab.seen.find((e) => e.type === "message.new" && e.message.id === answers[1]!.id), "Cleo's message on the silent node");
    // the persisters on those nodes write them too
    await until(async () => ((await db.message.count({ where: { conversationId: dm.id } })) === 3 ? true : undefined), "all three messages stored");

    const meeting = await webClient(web.url, cleo.cookie).meeting.create.mutate({ title: "Through broken collectors" });
    const hostSocket = connect(closed, cleo.cookie);
    const hosted = await hostSocket.client.room.join.mutate({ code: meeting.code });
    const hostSees = roomEvents(hostSocket, meeting.id, hosted.self.peerId, hosted.lastEventId);
    const joined = await connect(silent, dev.cookie).client.room.join.mutate({ code: meeting.code });
    await until(() => hostSees.find((e) => e.type === "peer.joined" && e.peer.peerId === joined.self.peerId), "the host's peer.joined");
    // nothing of theirs reached the working receiver
    const brokenNodes = new Set([(await healthDetails(silent)).nodeId, (await healthDetails(closed)).nodeId]);
    expect(receiver.spans.filter((s) => brokenNodes.has(s.instance))).toEqual([]);
  });
});

// The SFU cannot be exhausted by one participant (a guest included) calling media.* in a loop: transports are
// replaced, never added, and all share the node's MEDIA_PORT; a consume asked again replaces the consumer; the
// calls are rate limited per user, with the limit in the refusal; the others in the meeting are not affected.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { MeetingEvent } from "@qualmeet/api";
import { freePortRun } from "../../../../scripts/lib/ports.ts";
import { newUser, realtimeClient, signIn, webClient, type RealtimeConnection } from "../../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";

let web: WebServer;
let node: RealtimeServer;
let mediaPort: number;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  web = await startWeb();
  mediaPort = await freePortRun(2);
  node = await startRealtime({ allowedOrigins: [web.url], env: { MEDIA_WORKERS: "2", MEDIA_PORT: String(mediaPort) } });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
});

const opus = {
  mid: "0",
  codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
  encodings: [{ ssrc: 4444 }],
  rtcp: { cname: "test" },
};
const dtlsParameters = { role: "client" as const, fingerprints: [{ algorithm: "sha-256", value: Array.from({ length: 32 }, () => "AB").join(":") }] };

/** A participant of `code` on its own socket: a guest unless a cookie is given. */
async function participant(code: string, name: string, cookie?: string) {
  const connection = realtimeClient(node.wsUrl, { cookie: cookie ?? (await signIn(web.url, { name }, "guest")).cookie, origin: web.url });
  open.push(connection);
  const joined = await connection.client.room.join.mutate({ code });
  const ref = { meetingId: joined.meeting.id, peerId: joined.self.peerId };
  const events: MeetingEvent[] = [];
  connection.client.room.events.subscribe({ ...ref, lastEventId: joined.lastEventId }, { onData: ({ data }) => events.push(data) });
  return { connection, media: connection.client.media, ref, joined, events };
}

async function sfuMeeting() {
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Limits", maxParticipants: 25 });
  return { host, meeting, hostParticipant: await participant(meeting.code, "Host", host.cookie) };
}

test("a guest creating transports in a loop keeps one send and one receive transport, all on MEDIA_PORT; past the rate limit it is refused with the limit, the others are not", async () => {
  const { meeting } = await sfuMeeting();
  const looper = await participant(meeting.code, "Looping Guest");
  const created = [];
  for (let i = 0; i < 50; i++) created.push(await looper.media.createTransport.mutate({ ...looper.ref, direction: i % 2 ? "send" : "recv" }));
  // every transport is reached on the worker's one UDP and one TCP port: MEDIA_PORT (+1 for the second worker)
  const ports = new Set(created.flatMap((t) => t.iceCandidates.map((c) => c.port)));
  expect(ports.size).toBe(1);
  expect([mediaPort, mediaPort + 1]).toContain([...ports][0]);
  // only the last of each direction is left
  const [lastRecv, lastSend] = created.slice(-2);
  for (const replaced of [created[0]!, created[1]!, created[47]!]) {
    await expect(looper.media.connectTransport.mutate({ ...looper.ref, transportId: replaced.id, dtlsParameters })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
      message: `Unknown transport ${replaced.id}`,
    });
  }
  await looper.media.connectTransport.mutate({ ...looper.ref, transportId: lastSend!.id, dtlsParameters });

  // the limit: 120 connection changes a minute (50 creates and 4 connects so far)
  let refusal: unknown = null;
  for (let i = 0; i < 200 && !refusal; i++) {
    refusal = await looper.media.createTransport.mutate({ ...looper.ref, direction: "send" }).then(
      () => null,
      (error: unknown) => error,
    );
  }
  expect(refusal).toMatchObject({ data: { code: "TOO_MANY_REQUESTS" } });
  expect((refusal as Error).message).toMatch(/^Too many media connection changes \(at most 120 a minute\)\. Try again in \d+ seconds\.$/);

  // another participant of the same meeting sets up media as usual and is heard by the looper, whose receive
  // transport is still there
  const other = await participant(meeting.code, "Other Guest");
  const send = await other.media.createTransport.mutate({ ...other.ref, direction: "send" });
  expect(send.iceCandidates.every((c) => c.port === mediaPort || c.port === mediaPort + 1)).toBe(true);
  const { producerId } = await other.media.produce.mutate({ ...other.ref, transportId: send.id, kind: "audio", rtpParameters: opus, source: "mic" });
  const consumer = await looper.media.consume.mutate({ ...looper.ref, transportId: lastRecv!.id, producerId, rtpCapabilities: looper.joined.routerRtpCapabilities! });
  expect(consumer).toMatchObject({ producerId, producerPeerId: other.ref.peerId, source: "mic" });
});

test("a guest consuming one producer 20 times holds one consumer: the replaced ones are closed and reported", async () => {
  const { meeting, hostParticipant: host } = await sfuMeeting();
  const send = await host.media.createTransport.mutate({ ...host.ref, direction: "send" });
  const { producerId } = await host.media.produce.mutate({ ...host.ref, transportId: send.id, kind: "audio", rtpParameters: opus, source: "mic" });
  const viewer = await participant(meeting.code, "Consuming Guest");
  const recv = await viewer.media.createTransport.mutate({ ...viewer.ref, direction: "recv" });
  const consume = () => viewer.media.consume.mutate({ ...viewer.ref, transportId: recv.id, producerId, rtpCapabilities: viewer.joined.routerRtpCapabilities! });
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push((await consume()).consumerId);
  const kept = ids.at(-1)!;
  const closedIds = () => viewer.events.flatMap((e) => (e.type === "consumer.closed" ? [e.consumerId] : []));
  await expect.poll(() => closedIds().length, { timeout: 5000 }).toBe(19);
  expect(new Set(closedIds())).toEqual(new Set(ids.slice(0, -1)));
  // the kept consumer works; a replaced one is gone
  await viewer.media.resumeConsumer.mutate({ ...viewer.ref, consumerId: kept });
  await expect(viewer.media.resumeConsumer.mutate({ ...viewer.ref, consumerId: ids[0]! })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  // a second microphone is refused with why, the first one stays
  await expect(host.media.produce.mutate({ ...host.ref, transportId: send.id, kind: "audio", rtpParameters: opus, source: "mic" })).rejects.toMatchObject({
    data: { code: "BAD_REQUEST" },
    message: "You already have a mic producer: close it before producing another",
  });
});

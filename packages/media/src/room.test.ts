import { afterAll, beforeAll, expect, test } from "vitest";
import type { types } from "mediasoup";
import { MediaError, Room, WorkerPool, type Peer } from "./index.ts";
import dgram from "node:dgram";
import { AUDIO_LEVEL_URI, StreamCounter, parseRtpHeader, rtpPacket } from "./synthetic-rtp.ts";
import { nextEvent, opusParameters, routerContents, vp8SimulcastParameters, waitFor } from "./test-helpers.ts";

let pool: WorkerPool;
let ssrc = 10_000;

beforeAll(async () => {
  pool = await WorkerPool.create({ numWorkers: 1, logLevel: "none" });
  trackTransports(pool);
});

afterAll(async () => {
  await pool?.close();
});

function mainRouter(room: Room) {
  const router = room.routers[0];
  if (!router) throw new Error("room has no router");
  return router;
}

/** A peer with a send and a recv WebRTC transport, producing VP8 simulcast (camera) and opus (mic). */
async function sender(room: Room, id: string) {
  const peer = room.addPeer(id);
  const send = await peer.createWebRtcTransport("send");
  const recv = await peer.createWebRtcTransport("recv");
  const base = (ssrc += 10);
  const { producerId: video } = await peer.produce({
    transportId: send.id,
    kind: "video",
    rtpParameters: vp8SimulcastParameters([base + 1, base + 2, base + 3], id),
    source: "camera",
  });
  const { producerId: audio } = await peer.produce({
    transportId: send.id,
    kind: "audio",
    rtpParameters: opusParameters(base + 4, id),
    source: "mic",
  });
  return { peer, send, recv, video, audio };
}

async function receiver(room: Room, id: string) {
  const peer = room.addPeer(id);
  const send = await peer.createWebRtcTransport("send");
  const recv = await peer.createWebRtcTransport("recv");
  return { peer, send, recv };
}

function consumeAll(peer: Peer, recvId: string, producerIds: string[], room: Room) {
  return Promise.all(producerIds.map((producerId) => peer.consume({ transportId: recvId, producerId, rtpCapabilities: room.rtpCapabilities })));
}

async function expectMediaError(promise: Promise<unknown> | (() => unknown), code: MediaError["code"], message: RegExp) {
  let error: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error, `expected a MediaError ${code}`).toBeInstanceOf(MediaError);
  expect((error as MediaError).code).toBe(code);
  expect((error as MediaError).message).toMatch(message);
}

test("a room offers the configured codecs and a transport carries ICE/DTLS parameters on 127.0.0.1", async () => {
  const room = await Room.create({ pool, id: "caps" });
  try {
    const mimeTypes = (room.rtpCapabilities.codecs ?? []).map((c) => c.mimeType);
    expect(mimeTypes).toEqual(expect.arrayContaining(["audio/opus", "video/VP8", "video/VP9", "video/H264"]));
    const vp9Profiles = (room.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType === "video/VP9").map((c) => c.parameters?.["profile-id"]);
    expect(vp9Profiles).toEqual([0, 2]);
    const peer = room.addPeer("a");
    const t = await peer.createWebRtcTransport("send");
    expect(t.iceParameters.usernameFragment).toBeTruthy();
    expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    expect(t.sctpParameters).toBeUndefined();
    expect(new Set(t.iceCandidates.map((c) => c.protocol))).toEqual(new Set(["udp", "tcp"]));
    expect(t.iceCandidates.every((c) => c.address === "127.0.0.1")).toBe(true);
    const udp = t.iceCandidates.find((c) => c.protocol === "udp");
    expect(udp!.priority).toBeGreaterThan(t.iceCandidates.find((c) => c.protocol === "tcp")!.priority);
    for (const c of t.iceCandidates) {
      expect(c.port).toBeGreaterThanOrEqual(pool.rtcMinPort);
      expect(c.port).toBeLessThanOrEqual(pool.rtcMaxPort);
    }
    // a connect retried with the same DTLS identity (its answer was lost) succeeds; another identity is refused
    const client = { role: "client" as const, fingerprints: [{ algorithm: "sha-256" as const, value: Array.from({ length: 32 }, () => "AB").join(":") }] };
    await peer.connectTransport(t.id, client);
    await peer.connectTransport(t.id, client);
    const other = { ...client, fingerprints: [{ algorithm: "sha-256" as const, value: Array.from({ length: 32 }, () => "CD").join(":") }] };
    await expectMediaError(peer.connectTransport(t.id, other), "BAD_REQUEST", /Could not connect transport/);
    await expectMediaError(() => room.addPeer("a"), "BAD_REQUEST", /already in room/);
    expect(room.getPeer("a")).toBe(peer);
    await expectMediaError(() => room.getPeer("nobody"), "NOT_FOUND", /Unknown peer nobody/);
  } finally {
    room.close();
  }
});

test("produce and consume: consumers start paused, resume/pause, layers, producer pause and resume", async () => {
  const room = await Room.create({ pool, id: "flow" });
  try {
    const a = await sender(room, "alice");
    const b = await receiver(room, "bob");
    expect(a.peer.producers().map((p) => [p.source, p.kind, p.paused])).toEqual([
      ["camera", "video", false],
      ["mic", "audio", false],
    ]);
    const [video, audio] = await consumeAll(b.peer, b.recv.id, [a.video, a.audio], room);
    expect(video).toMatchObject({ producerId: a.video, kind: "video", type: "simulcast", producerPeerId: "alice", source: "camera", producerPaused: false });
    expect(audio).toMatchObject({ producerId: a.audio, kind: "audio", type: "simple", producerPeerId: "alice", source: "mic" });
    expect(room.consumerCount()).toBe(2);

    const router = mainRouter(room);
    const consumerDump = async (id: string) => {
      const transport = (await router.dump()).transportIds;
      expect(transport.length).toBe(4);
      return (await routerContents(router)).consumers.includes(id);
    };
    expect(await consumerDump(video!.consumerId)).toBe(true);

    await b.peer.resumeConsumer(video!.consumerId);
    await b.peer.pauseConsumer(video!.consumerId);
    await b.peer.resumeConsumer(video!.consumerId);
    await b.peer.setPreferredLayers(video!.consumerId, { spatialLayer: 1, temporalLayer: 0 });
    await expectMediaError(b.peer.setPreferredLayers(audio!.consumerId, { spatialLayer: 0 }), "BAD_REQUEST", /not simulcast/);
    await expectMediaError(b.peer.setPreferredLayers(video!.consumerId, { spatialLayer: -1 }), "BAD_REQUEST", /spatialLayer/);

    await a.peer.pauseProducer(a.video);
    expect(a.peer.producers().find((p) => p.producerId === a.video)?.paused).toBe(true);
    await a.peer.resumeProducer(a.video);
    expect(a.peer.producers().find((p) => p.producerId === a.video)?.paused).toBe(false);

    // a paused producer is consumed with producerPaused: true
    await a.peer.pauseProducer(a.audio);
    const c = await receiver(room, "carol");
    const [audioForCarol] = await consumeAll(c.peer, c.recv.id, [a.audio], room);
    expect(audioForCarol!.producerPaused).toBe(true);

    // closing a producer closes its consumers (consumerclosed on the others); producerclosed to the owner
    const producerClosed: string[] = [];
    a.peer.on("producerclosed", (id) => producerClosed.push(id));
    const bobClosed = nextEvent<[string]>(b.peer, "consumerclosed");
    const carolClosed = nextEvent<[string]>(c.peer, "consumerclosed");
    a.peer.closeProducer(a.audio);
    expect(await bobClosed).toEqual([audio!.consumerId]);
    expect(await carolClosed).toEqual([audioForCarol!.consumerId]);
    expect(producerClosed).toEqual([a.audio]);
    expect(a.peer.producers().map((p) => p.source)).toEqual(["camera"]);
    expect((await routerContents(router)).producers).toEqual([a.video]);
    // the mic is free again
    await a.peer.produce({ transportId: a.send.id, kind: "audio", rtpParameters: opusParameters((ssrc += 10)), source: "mic" });
  } finally {
    room.close();
  }
});

test("closing a transport, a peer and the room releases everything in the worker", async () => {
  const room = await Room.create({ pool, id: "cleanup" });
  const router = mainRouter(room);
  const a = await sender(room, "alice");
  const b = await receiver(room, "bob");
  const c = await receiver(room, "carol");
  const consumersB = await consumeAll(b.peer, b.recv.id, [a.video, a.audio], room);
  await consumeAll(c.peer, c.recv.id, [a.video, a.audio], room);
  expect(await routerContents(router)).toEqual({
    transports: 6,
    producers: expect.arrayContaining([a.video, a.audio]),
    consumers: expect.any(Array),
  });
  expect((await routerContents(router)).consumers).toHaveLength(4);
  expect(room.consumerCount()).toBe(4);
  expect(pool.workers[0]!.consumers).toBe(4);

  // 1. alice's send transport closes: her producers go (producerclosed to her), bob's and carol's consumers go
  const aliceProducerClosed: string[] = [];
  a.peer.on("producerclosed", (id) => aliceProducerClosed.push(id));
  const bobConsumerClosed: string[] = [];
  b.peer.on("consumerclosed", (id) => bobConsumerClosed.push(id));
  const aliceSend = (await router.dump()).transportIds.find((id) => id === a.send.id);
  expect(aliceSend).toBe(a.send.id);
  // close through the model's own path: the transport is found by the owner only
  const internalTransport = await findTransport(router, a.send.id);
  internalTransport.close();
  await waitFor(() => bobConsumerClosed.length === 2, "bob's consumers to close");
  expect(new Set(bobConsumerClosed)).toEqual(new Set(consumersB.map((x) => x.consumerId)));
  expect(new Set(aliceProducerClosed)).toEqual(new Set([a.video, a.audio]));
  expect(a.peer.producers()).toEqual([]);
  expect(await routerContents(router)).toEqual({ transports: 5, producers: [], consumers: [] });
  expect(room.consumerCount()).toBe(0);
  await expectMediaError(a.peer.produce({ transportId: a.send.id, kind: "audio", rtpParameters: opusParameters(), source: "mic" }), "NOT_FOUND", /Unknown transport/);

  // 2. bob leaves: his transports go; carol is unaffected
  const a2 = await a.peer.createWebRtcTransport("send");
  const { producerId: again } = await a.peer.produce({ transportId: a2.id, kind: "audio", rtpParameters: opusParameters((ssrc += 10)), source: "mic" });
  await consumeAll(b.peer, b.recv.id, [again], room);
  const [carolAgain] = await consumeAll(c.peer, c.recv.id, [again], room);
  room.removePeer("bob");
  room.removePeer("bob"); // twice is fine
  expect(b.peer.closed).toBe(true);
  expect(room.peers.has("bob")).toBe(false);
  expect(await routerContents(router)).toEqual({ transports: 4, producers: [again], consumers: [carolAgain!.consumerId] });
  await expectMediaError(b.peer.createWebRtcTransport("recv"), "CLOSED", /has left/);

  // 3. the room closes: the worker holds no router any more
  const closed = nextEvent(room, "close");
  room.close();
  await closed;
  expect(room.closed).toBe(true);
  expect(router.closed).toBe(true);
  const workerDump = await pool.workers[0]!.worker.dump();
  expect(workerDump.routerIds).toEqual([]);
  expect(pool.workers[0]!.consumers).toBe(0);
  expect(pool.workers[0]!.routers).toBe(0);
  await expectMediaError(() => room.addPeer("dave"), "CLOSED", /closed/);
  await expectMediaError(c.peer.createWebRtcTransport("recv"), "CLOSED", /has left/);
});

test("authorization: foreign ids are NOT_FOUND, wrong use is BAD_REQUEST, the room is unaffected", async () => {
  const room = await Room.create({ pool, id: "authz" });
  const router = mainRouter(room);
  try {
    const a = await sender(room, "alice");
    const b = await receiver(room, "bob");
    const [bobVideo] = await consumeAll(b.peer, b.recv.id, [a.video], room);
    const before = await routerContents(router);

    // someone else's transport / producer / consumer, or an unknown id
    await expectMediaError(b.peer.connectTransport(a.send.id, { fingerprints: [] }), "NOT_FOUND", new RegExp(`Unknown transport ${a.send.id}`));
    await expectMediaError(b.peer.restartIce(a.recv.id), "NOT_FOUND", /Unknown transport/);
    await expectMediaError(b.peer.produce({ transportId: a.send.id, kind: "audio", rtpParameters: opusParameters(), source: "mic" }), "NOT_FOUND", /Unknown transport/);
    await expectMediaError(b.peer.pauseProducer(a.video), "NOT_FOUND", new RegExp(`Unknown producer ${a.video}`));
    await expectMediaError(b.peer.resumeProducer(a.audio), "NOT_FOUND", /Unknown producer/);
    await expectMediaError(() => b.peer.closeProducer(a.video), "NOT_FOUND", /Unknown producer/);
    await expectMediaError(a.peer.resumeConsumer(bobVideo!.consumerId), "NOT_FOUND", /Unknown consumer/);
    await expectMediaError(a.peer.pauseConsumer(bobVideo!.consumerId), "NOT_FOUND", /Unknown consumer/);
    await expectMediaError(a.peer.setPreferredLayers(bobVideo!.consumerId, { spatialLayer: 0 }), "NOT_FOUND", /Unknown consumer/);
    await expectMediaError(b.peer.consume({ transportId: "nope", producerId: a.video, rtpCapabilities: room.rtpCapabilities }), "NOT_FOUND", /Unknown transport nope/);
    await expectMediaError(b.peer.consume({ transportId: b.recv.id, producerId: "nope", rtpCapabilities: room.rtpCapabilities }), "NOT_FOUND", /Unknown producer nope/);
    await expectMediaError(b.peer.consume({ transportId: a.recv.id, producerId: a.video, rtpCapabilities: room.rtpCapabilities }), "NOT_FOUND", /Unknown transport/);

    // wrong use of one's own things
    await expectMediaError(a.peer.consume({ transportId: a.recv.id, producerId: a.video, rtpCapabilities: room.rtpCapabilities }), "BAD_REQUEST", /your own producer/);
    await expectMediaError(
      b.peer.consume({ transportId: b.send.id, producerId: a.video, rtpCapabilities: room.rtpCapabilities }),
      "BAD_REQUEST",
      /send transport: consume on a receive transport/,
    );
    await expectMediaError(
      b.peer.produce({ transportId: b.recv.id, kind: "audio", rtpParameters: opusParameters(), source: "mic" }),
      "BAD_REQUEST",
      /receive transport: produce on a send transport/,
    );
    await expectMediaError(
      a.peer.produce({ transportId: a.send.id, kind: "video", rtpParameters: vp8SimulcastParameters([7, 8, 9]), source: "camera" }),
      "BAD_REQUEST",
      /already have a camera producer/,
    );
    await expectMediaError(
      b.peer.produce({ transportId: b.send.id, kind: "audio", rtpParameters: opusParameters(), source: "camera" }),
      "BAD_REQUEST",
      /camera producer must be video/,
    );
    await expectMediaError(b.peer.produce({ transportId: b.send.id, kind: "video", rtpParameters: opusParameters(), source: "webcam" as never }), "BAD_REQUEST", /Unknown source/);

    // bad rtpParameters
    await expectMediaError(
      b.peer.produce({
        transportId: b.send.id,
        kind: "video",
        rtpParameters: { codecs: [{ mimeType: "video/AV2", payloadType: 100, clockRate: 90000 }], encodings: [{ ssrc: 5 }] },
        source: "camera",
      }),
      "BAD_REQUEST",
      /Invalid rtpParameters for a video producer: .+/,
    );
    await expectMediaError(
      b.peer.produce({ transportId: b.send.id, kind: "audio", rtpParameters: { codecs: [] } as never, source: "mic" }),
      "BAD_REQUEST",
      /Invalid rtpParameters/,
    );
    // ...and the source is free again after a failed produce
    await b.peer.produce({ transportId: b.send.id, kind: "video", rtpParameters: vp8SimulcastParameters([51, 52, 53]), source: "camera" });

    // capabilities that cannot receive the producer
    const h264Only = {
      codecs: (room.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType === "video/H264"),
      headerExtensions: room.rtpCapabilities.headerExtensions,
    };
    await expectMediaError(
      b.peer.consume({ transportId: b.recv.id, producerId: a.video, rtpCapabilities: h264Only }),
      "UNSUPPORTED",
      /This router cannot consume that producer with your RTP capabilities/,
    );
    await expectMediaError(b.peer.consume({ transportId: b.recv.id, producerId: a.video, rtpCapabilities: "garbage" as never }), "UNSUPPORTED", /cannot consume/);

    // nothing of the above touched the room
    const after = await routerContents(router);
    expect(after.transports).toBe(before.transports);
    expect(new Set(after.consumers)).toEqual(new Set(before.consumers));
    expect(after.producers.length).toBe(before.producers.length + 1); // bob's camera
    expect(room.peers.size).toBe(2);
    expect(a.peer.producers()).toHaveLength(2);
    await b.peer.resumeConsumer(bobVideo!.consumerId);
  } finally {
    room.close();
  }
});

test("audio through a plain transport: audio levels and the active speaker; a plain consumer receives the packets", async () => {
  const room = await Room.create({ pool, id: "audio" });
  const socket = dgram.createSocket("udp4");
  const sink = dgram.createSocket("udp4");
  let timer: NodeJS.Timeout | undefined;
  try {
    const router = mainRouter(room);
    const alice = room.addPeer("alice");
    const send = await alice.createPlainTransport("send", { comedia: true });
    const audioSsrc = (ssrc += 10);
    const { producerId } = await alice.produce({
      transportId: send.id,
      kind: "audio",
      rtpParameters: { ...opusParameters(audioSsrc), headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 1 }] },
      source: "mic",
    });
    // two observers on the main router, both watching alice's mic
    const dump = await router.dump();
    expect(dump.rtpObserverIds).toHaveLength(2);
    expect(dump.mapProducerIdObserverIds.find((e) => e.key === producerId)?.values).toHaveLength(2);

    const bob = room.addPeer("bob");
    const recv = await bob.createPlainTransport("recv");
    await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", resolve));
    await bob.connectPlainTransport(recv.id, { ip: "127.0.0.1", port: sink.address().port });
    await expectMediaError(bob.connectTransport(recv.id, { fingerprints: [] }), "BAD_REQUEST", /plain RTP transport/);
    const consumed = await bob.consume({ transportId: recv.id, producerId, rtpCapabilities: room.rtpCapabilities });
    await bob.resumeConsumer(consumed.consumerId);
    const consumerSsrc = consumed.rtpParameters.encodings?.[0]?.ssrc;
    const counter = new StreamCounter();
    sink.on("message", (msg) => {
      const header = parseRtpHeader(msg);
      if (header && header.ssrc === consumerSsrc) counter.onPacket(header.sequenceNumber);
    });

    const levels: Array<Array<{ peerId: string; volume: number }>> = [];
    room.on("audiolevels", (l) => levels.push(l));
    const speaker = nextEvent<[string | null]>(room, "activespeaker", 8000);
    let seq = 0;
    timer = setInterval(() => {
      seq++;
      socket.send(
        rtpPacket({
          payloadType: 111,
          sequenceNumber: seq,
          timestamp: seq * 960,
          ssrc: audioSsrc,
          payload: Buffer.alloc(80, 1),
          audioLevel: { id: 1, level: 20 },
        }),
        send.port,
        send.ip,
      );
    }, 20);
    expect(await speaker).toEqual(["alice"]);
    await waitFor(() => levels.some((l) => l.length > 0), "audio levels", 5000);
    expect(levels.find((l) => l.length > 0)).toEqual([{ peerId: "alice", volume: -20 }]);
    await waitFor(() => counter.received >= 20, "packets at bob's socket", 5000);
    expect(counter.lost).toBe(0);

    // the speaker leaves: the active speaker becomes null
    const none = nextEvent<[string | null]>(room, "activespeaker");
    clearInterval(timer);
    room.removePeer("alice");
    expect(await none).toEqual([null]);
  } finally {
    clearInterval(timer);
    socket.close();
    sink.close();
    room.close();
  }
});

/** Every transport the pool's workers create, by id (a test-only reach into mediasoup). */
const transportsById = new Map<string, types.Transport>();

function trackTransports(p: WorkerPool) {
  for (const w of p.workers) {
    w.worker.observer.on("newrouter", (r) => r.observer.on("newtransport", (t) => transportsById.set(t.id, t)));
  }
}

async function findTransport(_router: types.Router, id: string): Promise<types.Transport> {
  const found = transportsById.get(id);
  if (!found) throw new Error(`transport ${id} not tracked`);
  return found;
}

import dgram from "node:dgram";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { types } from "mediasoup";
import { Room, WorkerPool, type Peer } from "./index.ts";
import { StreamCounter, parseRtpHeader, rtpPacket } from "./synthetic-rtp.ts";
import { audioFromTo, nextEvent, opusParameters, routerContents, vp8SimulcastParameters, waitFor } from "./test-helpers.ts";

let pool: WorkerPool;

beforeAll(async () => {
  pool = await WorkerPool.create({ numWorkers: 2, logLevel: "none" });
});

afterAll(async () => {
  await pool?.close();
});

async function workerOf(router: types.Router): Promise<number> {
  for (const w of pool.workers) {
    if ((await w.worker.dump()).routerIds.includes(router.id)) return w.pid;
  }
  throw new Error(`router ${router.id} is on no live worker`);
}

/** A UDP socket that a plain recv transport sends to, counting packets per SSRC. */
async function sinkFor(peer: Peer) {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const transport = await peer.createPlainTransport("recv");
  await peer.connectPlainTransport(transport.id, { ip: "127.0.0.1", port: socket.address().port });
  const counters = new Map<number, StreamCounter>();
  socket.on("message", (msg) => {
    const header = parseRtpHeader(msg);
    if (!header) return;
    let counter = counters.get(header.ssrc);
    if (!counter) counters.set(header.ssrc, (counter = new StreamCounter()));
    counter.onPacket(header.sequenceNumber);
  });
  return { socket, transportId: transport.id, received: (ssrc: number | undefined) => counters.get(ssrc ?? -1)?.received ?? 0 };
}

test("beyond maxConsumersPerRouter peers go to a router on the other worker; producers are piped once and media flows", async () => {
  const room = await Room.create({ pool, id: "pipes", maxConsumersPerRouter: 1 });
  const sender = dgram.createSocket("udp4");
  const sinks: dgram.Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const router0 = room.routers[0]!;
    const alice = room.addPeer("alice");
    const aliceSend = await alice.createPlainTransport("send", { comedia: true });
    const { producerId: aliceMic } = await alice.produce({ transportId: aliceSend.id, kind: "audio", rtpParameters: opusParameters(7001), source: "mic" });
    const { producerId: aliceCam } = await alice.produce({ transportId: aliceSend.id, kind: "video", rtpParameters: vp8SimulcastParameters([7011, 7012, 7013]), source: "camera" });
    let seq = 0;
    timer = setInterval(() => {
      seq++;
      sender.send(rtpPacket({ payloadType: 111, sequenceNumber: seq, timestamp: seq * 960, ssrc: 7001, payload: Buffer.alloc(80, 1) }), aliceSend.port, aliceSend.ip);
    }, 20);

    // bob fits on the main router (it carries no consumer yet)
    const bob = room.addPeer("bob");
    const bobSink = await sinkFor(bob);
    sinks.push(bobSink.socket);
    const bobMic = await bob.consume({ transportId: bobSink.transportId, producerId: aliceMic, rtpCapabilities: room.rtpCapabilities });
    await bob.resumeConsumer(bobMic.consumerId);
    expect(room.routerCount()).toBe(1);

    // the main router now carries 1 consumer: carol gets a new router, on the other worker
    const carol = room.addPeer("carol");
    const carolSink = await sinkFor(carol);
    sinks.push(carolSink.socket);
    expect(room.routerCount()).toBe(2);
    const router1 = room.routers[1]!;
    expect(await workerOf(router1)).not.toBe(await workerOf(router0));

    // consumed twice (the first answer lost, say): the second consumer replaces the first, the pipe stays one
    const carolMicLost = await carol.consume({ transportId: carolSink.transportId, producerId: aliceMic, rtpCapabilities: room.rtpCapabilities });
    const carolMic = await carol.consume({ transportId: carolSink.transportId, producerId: aliceMic, rtpCapabilities: room.rtpCapabilities });
    const carolCam = await carol.consume({ transportId: carolSink.transportId, producerId: aliceCam, rtpCapabilities: room.rtpCapabilities });
    expect(carolCam.type).toBe("simulcast");
    await carol.resumeConsumer(carolMic.consumerId);
    // carol's consumers live on router1, which holds alice's producers piped (once each, same ids)
    const r1 = await routerContents(router1);
    expect(new Set(r1.consumers)).toEqual(new Set([carolMic.consumerId, carolCam.consumerId]));
    expect(r1.consumers).not.toContain(carolMicLost.consumerId);
    expect(new Set(r1.producers)).toEqual(new Set([aliceMic, aliceCam]));
    // router0: alice's send, bob's recv, one pipe transport towards router1
    expect((await routerContents(router0)).transports).toBe(3);

    // media crosses the pipe
    const bobSsrc = bobMic.rtpParameters.encodings?.[0]?.ssrc;
    const carolSsrc = carolMic.rtpParameters.encodings?.[0]?.ssrc;
    await waitFor(() => bobSink.received(bobSsrc) > 10 && carolSink.received(carolSsrc) > 10, "audio at bob and carol", 5000);

    // the other way round: carol (router1) produces, bob (router0) consumes
    const carolSend = await carol.createPlainTransport("send", { comedia: true });
    const { producerId: carolMicProducer } = await carol.produce({ transportId: carolSend.id, kind: "audio", rtpParameters: opusParameters(7101), source: "mic" });
    const bobFromCarol = await bob.consume({ transportId: bobSink.transportId, producerId: carolMicProducer, rtpCapabilities: room.rtpCapabilities });
    expect((await routerContents(router0)).consumers).toContain(bobFromCarol.consumerId);
    expect((await routerContents(router0)).producers).toContain(carolMicProducer);

    // alice closes her mic: bob's and carol's consumers close, the piped producer goes from router1
    const bobClosed = nextEvent<[string]>(bob, "consumerclosed");
    const carolClosed: string[] = [];
    carol.on("consumerclosed", (id) => carolClosed.push(id));
    clearInterval(timer);
    alice.closeProducer(aliceMic);
    expect(await bobClosed).toEqual([bobMic.consumerId]);
    await waitFor(() => carolClosed.length === 1, "carol's mic consumer to close");
    expect(carolClosed).toEqual([carolMic.consumerId]);
    await waitFor(async () => !(await routerContents(router1)).producers.includes(aliceMic), "pipe producer to close");
    expect(new Set((await routerContents(router1)).producers)).toEqual(new Set([aliceCam, carolMicProducer]));

    // carol leaves: her (secondary) router closes with its pipes; bob's consumer of carol closes
    const bobLost = nextEvent<[string]>(bob, "consumerclosed");
    room.removePeer("carol");
    expect(await bobLost).toEqual([bobFromCarol.consumerId]);
    await waitFor(() => router1.closed, "router1 to close");
    expect(room.routerCount()).toBe(1);
    await waitFor(async () => (await routerContents(router0)).transports === 2, "the pipe transport to close");
    expect(await routerContents(router0)).toEqual({ transports: 2, producers: [aliceCam], consumers: [] });
  } finally {
    clearInterval(timer);
    sender.close();
    for (const s of sinks) s.close();
    room.close();
  }
  for (const w of pool.workers) expect((await w.worker.dump()).routerIds).toEqual([]);
  expect(pool.workers.map((w) => w.consumers)).toEqual([0, 0]);
});

test("peers that join together while every router is full share one new router", async () => {
  const room = await Room.create({ pool, id: "burst", maxConsumersPerRouter: 1 });
  try {
    await audioFromTo(room, "alice", ["bob"], 8001);
    const others = ["c", "d", "e"].map((id) => room.addPeer(id));
    await Promise.all(others.map((p) => p.createWebRtcTransport("recv")));
    expect(room.routerCount()).toBe(2);
    for (const p of others) room.removePeer(p.id);
    await waitFor(() => room.routerCount() === 1, "the empty secondary router to close");
  } finally {
    room.close();
  }
});

test("with every worker already used by the room, a full room keeps peers on its least-loaded router", async () => {
  const single = await WorkerPool.create({ numWorkers: 1, logLevel: "none" });
  const room = await Room.create({ pool: single, id: "one-worker", maxConsumersPerRouter: 1 });
  try {
    await audioFromTo(room, "alice", ["bob", "carol"], 9001);
    expect(room.routerCount()).toBe(1);
    expect(room.consumerCount()).toBe(2);
  } finally {
    room.close();
    await single.close();
  }
});

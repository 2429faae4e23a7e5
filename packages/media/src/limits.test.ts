// What one participant can hold on the media server is bounded: transports, consumers, producers, incoming
// bitrate, and the ports browsers reach (one UDP and one TCP port per worker, its WebRtcServer's).
import { afterAll, beforeAll, expect, test } from "vitest";
import type { types } from "mediasoup";
import { freePortRun } from "../../../scripts/lib/ports.ts";
import { MediaError, Room, WorkerPool, type Peer } from "./index.ts";
import { nextEvent, opusParameters, routerContents, vp8SimulcastParameters, waitFor } from "./test-helpers.ts";

let pool: WorkerPool;
let base: number;
const transportsById = new Map<string, types.Transport>();

beforeAll(async () => {
  base = await freePortRun(2);
  pool = await WorkerPool.create({ numWorkers: 2, logLevel: "none", webRtcPort: base });
  for (const w of pool.workers) {
    w.worker.observer.on("newrouter", (r) => r.observer.on("newtransport", (t) => transportsById.set(t.id, t)));
  }
});

afterAll(async () => {
  await pool?.close();
});

async function listening(server: types.WebRtcServer): Promise<{ udp: number[]; tcp: number[]; transports: number }> {
  const dump = await server.dump();
  return { udp: dump.udpSockets.map((s) => s.port), tcp: dump.tcpServers.map((s) => s.port), transports: dump.webRtcTransportIds.length };
}

async function refusal(promise: Promise<unknown>): Promise<MediaError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

function produceMic(peer: Peer, transportId: string, ssrc: number) {
  return peer.produce({ transportId, kind: "audio", rtpParameters: opusParameters(ssrc), source: "mic" });
}

test("worker i listens on webRtcPort + i (UDP and TCP) and every browser transport uses that port; a replacement worker takes the same port", async () => {
  const slots = pool.workers.map((w) => w.slot).sort();
  expect(slots).toEqual([0, 1]);
  for (const w of pool.workers) expect(await listening(w.webRtcServer)).toMatchObject({ udp: [base + w.slot], tcp: [base + w.slot] });

  const room = await Room.create({ pool, id: "ports" });
  try {
    const peers = ["a", "b", "c"].map((id) => room.addPeer(id));
    const infos = await Promise.all(peers.flatMap((peer) => [peer.createWebRtcTransport("send"), peer.createWebRtcTransport("recv")]));
    // six transports, two ports: the room's worker's UDP and TCP port, the same number
    const ports = new Set(infos.flatMap((info) => info.iceCandidates.map((c) => `${c.protocol}:${c.port}`)));
    expect(ports.size).toBe(2);
    const [port] = new Set(infos.flatMap((info) => info.iceCandidates.map((c) => c.port)));
    expect([base, base + 1]).toContain(port);
    const roomWorker = pool.workers.find((w) => w.slot === port! - base)!;
    expect((await listening(roomWorker.webRtcServer)).transports).toBe(6);

    // the worker dies: its replacement listens on the same port again
    const dead = nextEvent<[number]>(pool, "workerdied");
    process.kill(roomWorker.pid, "SIGKILL");
    await dead;
    await pool.whenReplenished();
    const replacement = pool.workers.find((w) => w.slot === roomWorker.slot)!;
    expect(replacement.pid).not.toBe(roomWorker.pid);
    expect(await listening(replacement.webRtcServer)).toEqual({ udp: [port], tcp: [port], transports: 0 });
  } finally {
    room.close();
  }
});

test("a second pool on the same ports is refused with the port it could not take", async () => {
  const error = await refusal(WorkerPool.create({ numWorkers: 1, logLevel: "none", webRtcPort: base }));
  expect(error.message).toContain(`could not listen on port ${base}`);
});

test("50 transports asked for in a row and at once leave one send and one receive transport; the replaced one's producers close", async () => {
  const room = await Room.create({ pool, id: "transports" });
  try {
    const peer = room.addPeer("looper");
    const first = await peer.createWebRtcTransport("send");
    const { producerId } = await produceMic(peer, first.id, 5001);
    const closed = nextEvent<[string]>(peer, "producerclosed");
    for (let i = 0; i < 25; i++) await peer.createWebRtcTransport(i % 2 ? "send" : "recv");
    await Promise.all(Array.from({ length: 25 }, (_, i) => peer.createWebRtcTransport(i % 2 ? "send" : "recv")));
    expect(await closed).toEqual([producerId]);
    expect(peer.producers()).toEqual([]);
    expect(peer.transportIds()).toHaveLength(2);
    expect((await routerContents(room.routers[0]!)).transports).toBe(2);
    const servers = await Promise.all(pool.workers.map((w) => listening(w.webRtcServer)));
    expect(servers.reduce((sum, s) => sum + s.transports, 0)).toBe(2);
    // the replaced transports are gone for the peer too
    await expect(peer.connectTransport(first.id, { fingerprints: [{ algorithm: "sha-256", value: "AB" }] })).rejects.toThrow(/Unknown transport/);

    // a rebuild (new transports, the microphone again) works on the replacements
    const send = await peer.createWebRtcTransport("send");
    await produceMic(peer, send.id, 5002);
    expect(peer.producers().map((p) => p.source)).toEqual(["mic"]);
  } finally {
    room.close();
  }
});

test("20 consumes of one producer leave one consumer; the replaced ones are reported closed", async () => {
  const room = await Room.create({ pool, id: "consumers" });
  try {
    const alice = room.addPeer("alice");
    const send = await alice.createWebRtcTransport("send");
    const { producerId } = await produceMic(alice, send.id, 6001);
    const bob = room.addPeer("bob");
    const recv = await bob.createWebRtcTransport("recv");
    const closed: string[] = [];
    bob.on("consumerclosed", (id) => closed.push(id));
    const consume = () => bob.consume({ transportId: recv.id, producerId, rtpCapabilities: room.rtpCapabilities });
    const inRow: string[] = [];
    for (let i = 0; i < 10; i++) inRow.push((await consume()).consumerId);
    const atOnce = (await Promise.all(Array.from({ length: 10 }, consume))).map((c) => c.consumerId);
    expect(bob.consumerCount()).toBe(1);
    const { consumers } = await routerContents(room.routers[0]!);
    expect(consumers).toHaveLength(1);
    expect([...inRow, ...atOnce]).toContain(consumers[0]);
    await waitFor(() => closed.length === 19, "19 replaced consumers reported closed");
    expect(closed).not.toContain(consumers[0]);
    // the surviving consumer is the peer's to use
    await bob.resumeConsumer(consumers[0]!);
  } finally {
    room.close();
  }
});

test("a producer beyond the room's bound is refused with the limit; the per-source rule stays", async () => {
  const room = await Room.create({ pool, id: "producers", maxProducersPerPeer: 2 });
  try {
    const peer = room.addPeer("busy");
    const send = await peer.createWebRtcTransport("send");
    await produceMic(peer, send.id, 7001);
    const sameSource = await refusal(produceMic(peer, send.id, 7002));
    expect(sameSource.message).toMatch(/already have a mic producer/);
    await peer.produce({ transportId: send.id, kind: "video", rtpParameters: vp8SimulcastParameters([7011, 7012, 7013]), source: "camera" });
    const third = await refusal(peer.produce({ transportId: send.id, kind: "video", rtpParameters: vp8SimulcastParameters([7021, 7022, 7023]), source: "screen" }));
    expect(third.code).toBe("BAD_REQUEST");
    expect(third.message).toBe("You can send at most 2 streams at once (microphone, camera, screen): stop one before starting another");
    expect(
      peer
        .producers()
        .map((p) => p.source)
        .sort(),
    ).toEqual(["camera", "mic"]);
    expect((await routerContents(room.routers[0]!)).producers).toHaveLength(2);
    // the default bound is four: microphone, camera, screen and a screen's audio
    await expect(Room.create({ pool, id: "bad", maxProducersPerPeer: 0 })).rejects.toThrow(/maxProducersPerPeer must be a positive integer/);
  } finally {
    room.close();
  }
});

test("every transport accepts at most the room's maxIncomingBitrate", async () => {
  const room = await Room.create({ pool, id: "bitrate", maxIncomingBitrate: 1_500_000 });
  try {
    const peer = room.addPeer("sender");
    const send = await peer.createWebRtcTransport("send");
    const [stats] = await (transportsById.get(send.id) as types.WebRtcTransport).getStats();
    expect(stats?.maxIncomingBitrate).toBe(1_500_000);
  } finally {
    room.close();
  }
});

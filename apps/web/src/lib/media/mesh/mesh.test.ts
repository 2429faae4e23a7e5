// The mesh's signaling and healing contract, with fake RTCPeerConnections and a fake signal relay
// (fakeWebRtc.ts) in place of the browser and the server: two participants connect with one offer, glare never
// rolls back, and a frozen video, a lost offer or a closed connection heal by replacing the connection, which
// the other side follows, without an offer storm and without a cap on attempts.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { FakeMediaStream, FakePeerConnection, FakeRelay, FakeTrack, RecordedTracks } from "./fakeWebRtc";
import { Mesh } from "./mesh";
import { MAX_BACKOFF_MS } from "./peer";

// "a" < "b": Ann is the polite side, Bob the impolite one
const ANN = "a-ann";
const BOB = "b-bob";

interface Side {
  mesh: Mesh;
  tracks: RecordedTracks;
  camera: FakeTrack;
  /** what the participant publishes (the mesh asks when it opens a connection) */
  local: Partial<Record<"mic" | "camera" | "screen", FakeTrack>>;
}

let relay: FakeRelay;
let sides: Record<string, Side>;
let frames: ReturnType<typeof setInterval>;

function join(peerId: string): Side {
  const camera = new FakeTrack("video");
  const tracks = new RecordedTracks();
  const local = { camera, mic: new FakeTrack("audio") };
  const mesh = new Mesh(relay.host(peerId, local), tracks);
  relay.register(peerId, mesh);
  return { mesh, tracks, camera, local };
}

/** Both see each other's camera decoding new frames now. */
async function bothDecoding(): Promise<boolean> {
  const before = await Promise.all([sides[ANN]!.mesh.stats(), sides[BOB]!.mesh.stats()]);
  await vi.advanceTimersByTimeAsync(500);
  const after = await Promise.all([sides[ANN]!.mesh.stats(), sides[BOB]!.mesh.stats()]);
  const grew = (i: number, remote: string) => (after[i]![remote]?.camera?.framesDecoded ?? 0) > (before[i]![remote]?.camera?.framesDecoded ?? 0);
  return grew(0, BOB) && grew(1, ANN);
}

/** Advances fake time until both decode; returns how long that took (ms). */
async function untilBothDecoding(limitMs: number): Promise<number> {
  const start = Date.now();
  while (!(await bothDecoding())) {
    if (Date.now() - start > limitMs) throw new Error(`not decoding after ${limitMs} ms: ${JSON.stringify([sides[ANN]!.mesh.describe(), sides[BOB]!.mesh.describe()])}`);
  }
  return Date.now() - start;
}

function currentPc(side: string): FakePeerConnection {
  const other = side === ANN ? BOB : ANN;
  return (sides[side]!.mesh as unknown as { peers: Map<string, { pc: FakePeerConnection }> }).peers.get(other)!.pc;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("RTCPeerConnection", FakePeerConnection);
  vi.stubGlobal("MediaStream", FakeMediaStream);
  FakePeerConnection.rollbacks = 0;
  FakePeerConnection.all.length = 0;
  relay = new FakeRelay();
  frames = setInterval(() => FakePeerConnection.all.forEach((pc) => pc.tick()), 66);
  sides = {};
});

afterEach(() => {
  for (const side of Object.values(sides)) side.mesh.close();
  clearInterval(frames);
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** Ann and Bob learn of each other at the same moment (a join, or a switch to P2P). */
async function connectBoth(): Promise<void> {
  sides[ANN] = join(ANN);
  sides[BOB] = join(BOB);
  sides[ANN].mesh.connect(BOB);
  sides[BOB].mesh.connect(ANN);
  await untilBothDecoding(5000);
}

describe("P2P mesh signaling", () => {
  test("a join is one offer from the impolite side and one answer; both see the other's camera flowing", async () => {
    await connectBoth();
    const descriptions = relay.log.filter((s) => s.kind !== "candidate");
    expect(descriptions).toEqual([
      { from: BOB, to: ANN, kind: "offer" },
      { from: ANN, to: BOB, kind: "answer" },
    ]);
    expect(sides[ANN]!.tracks.tracks.get(`${BOB}:camera`)?.flowing).toBe(true);
    expect(sides[BOB]!.tracks.tracks.get(`${ANN}:camera`)?.flowing).toBe(true);
    // healthy connections stay: nothing more is sent over a minute
    const sent = relay.log.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.log.length).toBe(sent);
    expect(Object.values(sides[ANN]!.mesh.describe())[0]!.replacements).toBe(0);
  });

  test("fresh ICE servers (TURN credentials) go to the open connection in place: no new connection, no offer, the video goes on", async () => {
    await connectBoth();
    const pc = currentPc(ANN);
    const sent = relay.log.length;
    const fresh = [{ urls: ["turn:turn.example.org:3478"], username: "1800000000:ann", credential: "fresh" }];
    sides[ANN]!.mesh.setIceServers(fresh);
    expect(currentPc(ANN)).toBe(pc);
    expect(pc.getConfiguration().iceServers).toEqual(fresh);
    expect(await bothDecoding()).toBe(true);
    expect(relay.log.length).toBe(sent);
  });

  test("glare: both offer at once; the polite side replaces its connection instead of rolling back, the impolite side follows", async () => {
    await connectBoth();
    const [annPc, bobPc] = [currentPc(ANN), currentPc(BOB)];
    const offersBefore = relay.offers();
    await Promise.all([sides[ANN]!.mesh.forceOffer(), sides[BOB]!.mesh.forceOffer()]);
    const ms = await untilBothDecoding(5000);
    expect(FakePeerConnection.rollbacks).toBe(0);
    // both sides are on new connections, paired with each other
    expect(currentPc(ANN)).not.toBe(annPc);
    expect(currentPc(BOB)).not.toBe(bobPc);
    expect([currentPc(ANN).signalingState, currentPc(BOB).signalingState]).toEqual(["stable", "stable"]);
    // the two forced offers and the polite side's one for its new connection
    expect(relay.offers() - offersBefore).toBe(3);
    expect(ms).toBeLessThan(2000);
  });

  test.each([
    ["the polite side's", ANN],
    ["the impolite side's", BOB],
  ])("%s connection stops sending (Chromium after a rollback): the receiver replaces it and the sender follows", async (_name, sender) => {
    await connectBoth();
    const receiver = sender === ANN ? BOB : ANN;
    const [senderPc, receiverPc] = [currentPc(sender), currentPc(receiver)];
    senderPc.sendsNothing = true;
    const ms = await untilBothDecoding(15_000);
    expect(currentPc(receiver)).not.toBe(receiverPc);
    expect(currentPc(sender)).not.toBe(senderPc);
    expect(Object.values(sides[receiver]!.mesh.describe())[0]!.replacements).toBe(1);
    console.log(`[mesh.test] ${_name} frozen video decoding again after ${ms} ms`);
  });

  test("a lost first offer: the impolite side offers on a new connection and the call starts", async () => {
    relay.drop = (s) => s.kind === "offer" && relay.log.filter((l) => l.kind === "offer").length === 1;
    await connectBoth().catch(() => undefined);
    await untilBothDecoding(15_000);
    expect(FakePeerConnection.rollbacks).toBe(0);
  });

  test("the other side's connection closes: a new one is made and followed", async () => {
    await connectBoth();
    (currentPc(BOB) as unknown as { close(): void }).close();
    await untilBothDecoding(15_000);
  });

  test("a replacement drops a remote source the new connection does not carry (no frozen tile left behind)", async () => {
    await connectBoth();
    // Bob's camera is gone when his connection is replaced (Ann's side closed)
    delete sides[BOB]!.local.camera;
    (currentPc(ANN) as unknown as { close(): void }).close();
    await vi.waitFor(
      async () => {
        await vi.advanceTimersByTimeAsync(500);
        expect(sides[ANN]!.tracks.tracks.has(`${BOB}:camera`)).toBe(false);
      },
      { timeout: 10_000, interval: 1 },
    );
    expect(sides[ANN]!.tracks.tracks.has(`${BOB}:mic`)).toBe(true);
    expect(sides[BOB]!.tracks.tracks.get(`${ANN}:camera`)?.flowing).toBe(true);
  });

  test("a freeze that outlasts many replacements still heals, with replacements backing off (no offer storm)", async () => {
    await connectBoth();
    const offersBefore = relay.offers();
    // for two minutes every connection Bob opens sends nothing
    const breakBob = setInterval(() => (currentPc(BOB).sendsNothing = true), 50);
    await vi.advanceTimersByTimeAsync(120_000);
    clearInterval(breakBob);
    const offers = relay.offers() - offersBefore;
    // backing off up to MAX_BACKOFF_MS: about one new connection per 15 s after the first few, never a storm
    expect(offers).toBeGreaterThanOrEqual(5);
    expect(offers).toBeLessThanOrEqual(Math.ceil(120_000 / MAX_BACKOFF_MS) + 4);
    // the cause is gone: the next replacement heals it, however many came before
    const ms = await untilBothDecoding(MAX_BACKOFF_MS + 10_000);
    console.log(`[mesh.test] after ${offers} replacement offers in 120 s, decoding again ${ms} ms after the cause went away`);
    // healthy again: nothing more is sent
    const sent = relay.offers();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(relay.offers()).toBe(sent);
  });
});

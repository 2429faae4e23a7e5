// The SFU engine's signaling contract, without a browser: which calls it makes to the realtime server, in what
// order, on join, on publishing, on a producer appearing, on a transport failing and on the media server being
// lost. The boundary is faked: the signaling client (records every call) and mediasoup-client's Device.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { PeerInfo, MeetingEvent } from "@qualmeet/api";
import { useRealtimeStatus } from "@/lib/realtime";
import { useMeetingStore } from "@/stores/meeting";
import type { EventsObserver, JoinResult, SignalingClient } from "./signaling";
import { SfuEngine } from "./sfuEngine";

const fakes = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => void;
  class FakeEmitter {
    readonly handlers = new Map<string, Handler>();
    on(event: string, handler: Handler) {
      this.handlers.set(event, handler);
    }
    emit(event: string, ...args: unknown[]) {
      this.handlers.get(event)?.(...args);
    }
  }
  /** What producers and consumers share: closing, and stats (none here). */
  class FakeMediaObject extends FakeEmitter {
    closed = false;
    close() {
      this.closed = true;
    }
    async getStats() {
      return new Map();
    }
  }
  class FakeProducer extends FakeMediaObject {
    paused = false;
    constructor(readonly id: string) {
      super();
    }
    pause() {
      this.paused = true;
    }
    resume() {
      this.paused = false;
    }
  }
  class FakeConsumer extends FakeMediaObject {
    readonly appData: Record<string, unknown>;
    readonly track = { kind: "video" };
    constructor(
      readonly id: string,
      readonly producerId: string,
      appData: Record<string, unknown>,
    ) {
      super();
      this.appData = appData;
    }
  }
  class FakeTransport extends FakeEmitter {
    closed = false;
    connectionState = "new";
    restartedWith: unknown = null;
    /** what updateIceServers gave the transport (fresh TURN credentials) */
    iceServers: unknown = null;
    private connecting: Promise<void> | null = null;
    constructor(
      readonly id: string,
      readonly direction: "send" | "recv",
    ) {
      super();
    }
    /** mediasoup-client connects a transport on its first produce/consume: "connect" asks the server */
    private connect(): Promise<void> {
      this.connecting ??= new Promise<void>((resolve, reject) => this.emit("connect", { dtlsParameters: { role: "client" } }, resolve, reject));
      return this.connecting;
    }
    async produce(options: { track: { kind: string }; appData: Record<string, unknown> }) {
      await this.connect();
      const { id } = await new Promise<{ id: string }>((resolve, reject) =>
        this.emit("produce", { kind: options.track.kind, rtpParameters: {}, appData: options.appData }, resolve, reject),
      );
      return new FakeProducer(id);
    }
    async consume(options: { id: string; producerId: string; appData: Record<string, unknown> }) {
      await this.connect();
      const consumer = new FakeConsumer(options.id, options.producerId, options.appData);
      consumers.push(consumer);
      return consumer;
    }
    async restartIce({ iceParameters }: { iceParameters: unknown }) {
      this.restartedWith = iceParameters;
    }
    async updateIceServers({ iceServers }: { iceServers: unknown }) {
      this.iceServers = iceServers;
    }
    close() {
      this.closed = true;
    }
  }
  const transports: FakeTransport[] = [];
  const consumers: FakeConsumer[] = [];
  class FakeDevice {
    readonly recvRtpCapabilities = { codecs: [] };
    readonly sendRtpCapabilities = { codecs: [{ mimeType: "video/VP8" }] };
    async load() {}
    createSendTransport(options: { id: string }) {
      const t = new FakeTransport(options.id, "send");
      transports.push(t);
      return t;
    }
    createRecvTransport(options: { id: string }) {
      const t = new FakeTransport(options.id, "recv");
      transports.push(t);
      return t;
    }
  }
  return { FakeDevice, transports, consumers };
});

vi.mock("mediasoup-client", () => ({
  Device: { factory: async () => new fakes.FakeDevice() },
  // no browser to detect: the engine falls back to Device.factory()
  detectDeviceAsync: async () => undefined,
  parseScalabilityMode: () => ({ spatialLayers: 1, temporalLayers: 1 }),
}));

const peer = (peerId: string, producers: PeerInfo["producers"] = []): PeerInfo => ({
  peerId,
  userId: `u-${peerId}`,
  displayName: peerId,
  isHost: false,
  isGuest: true,
  isBot: false,
  micMuted: false,
  producers,
});
const bob = peer("bob", [
  { producerId: "bob-mic", kind: "audio", source: "mic", paused: false },
  { producerId: "bob-camera", kind: "video", source: "camera", paused: false },
]);

/** A stand-in for a live MediaStreamTrack. */
function fakeTrack(kind: "audio" | "video"): MediaStreamTrack {
  return { kind, readyState: "live", label: kind, addEventListener() {}, stop() {}, getSettings: () => ({ width: 320, height: 240 }) } as unknown as MediaStreamTrack;
}

/** A signaling client that answers like the realtime server and records each call as "router.procedure detail". */
function fakeSignaling() {
  const calls: string[] = [];
  let observer: EventsObserver | null = null;
  const answer = <I, O>(name: string, detail: (input: I) => string, result: (input: I) => O | Promise<O>) => ({
    mutate: async (input: I): Promise<O> => {
      calls.push(`${name}${detail(input) ? ` ${detail(input)}` : ""}`);
      return result(input);
    },
  });
  const none = () => "";
  /** A call the fake server only acknowledges, logged with the id it names. */
  const acknowledge = <K extends string>(name: string, idField: K) =>
    answer(
      name,
      (i: Record<K, string>) => i[idField],
      () => ({}),
    );
  /** the server answers media.consume once `held` resolves (a test holds it to see which calls go out meanwhile) */
  const consumeAnswers = { held: Promise.resolve() };
  /** the server answers media.createTransport once `held` resolves */
  const transportAnswers = { held: Promise.resolve() };
  /** Holds the answers to media.consume; the returned function releases them. */
  const holdConsumeAnswers = () => {
    let release = () => {};
    consumeAnswers.held = new Promise<void>((resolve) => (release = resolve));
    return () => release();
  };
  const joinResult: JoinResult = {
    meeting: { id: "m1", code: "abcd2345", title: "Sync", maxParticipants: 10, mode: "SFU", hostId: "u-host" },
    self: peer("me"),
    peers: [bob],
    routerRtpCapabilities: { codecs: [] },
    mode: "SFU",
    meshThreshold: 0,
    playback: null,
    playbackAllowed: false,
    iceServers: [],
    expiresInS: 3600,
    relayNotice: null,
    lastEventId: "0-0",
  };
  const client: SignalingClient = {
    room: {
      join: answer("room.join", none, () => joinResult),
      events: {
        subscribe: (input, o) => {
          calls.push(`room.events from ${input.lastEventId}`);
          observer = o;
          return { unsubscribe: () => undefined };
        },
      },
      leave: answer("room.leave", none, () => ({})),
      reconnectMedia: answer("room.reconnectMedia", none, () => ({ routerRtpCapabilities: { codecs: [] }, peers: [peer("me"), bob] })),
      signal: answer("room.signal", none, () => ({})),
      iceServers: { query: async () => ({ iceServers: [], expiresInS: 3600, relayNotice: null }) },
      setMeshThreshold: answer("room.setMeshThreshold", none, () => ({})),
      muteParticipant: answer("room.muteParticipant", none, () => ({})),
      setMicMuted: answer(
        "room.setMicMuted",
        (i: { muted: boolean }) => `muted=${i.muted}`,
        () => ({}),
      ),
      removeParticipant: answer("room.removeParticipant", none, () => ({})),
      end: answer("room.end", none, () => ({})),
    },
    media: {
      createTransport: answer(
        "media.createTransport",
        (i: { direction: string }) => i.direction,
        async (i) => {
          await transportAnswers.held;
          return {
            id: `t-${i.direction}-${calls.length}`,
            iceParameters: { usernameFragment: "u", password: "p" },
            iceCandidates: [],
            dtlsParameters: { fingerprints: [] },
          } as never;
        },
      ),
      connectTransport: answer(
        "media.connectTransport",
        (i: { transportId: string }) => i.transportId.split("-")[1]!,
        () => ({}),
      ),
      produce: answer(
        "media.produce",
        (i: { source: string }) => i.source,
        (i) => ({ producerId: `me-${i.source}` }),
      ),
      consume: answer(
        "media.consume",
        (i: { producerId: string }) => i.producerId,
        async (i) => {
          await consumeAnswers.held;
          const [peerId, source] = i.producerId.split("-") as [string, "mic" | "camera"];
          return {
            consumerId: `c-${i.producerId}`,
            producerId: i.producerId,
            kind: source === "mic" ? "audio" : "video",
            rtpParameters: { codecs: [], encodings: [{}] },
            producerPaused: false,
            producerPeerId: peerId,
            source,
          } as never;
        },
      ),
      resumeConsumer: acknowledge("media.resumeConsumer", "consumerId"),
      pauseConsumer: acknowledge("media.pauseConsumer", "consumerId"),
      setPreferredLayers: answer("media.setPreferredLayers", none, () => ({})),
      pauseProducer: acknowledge("media.pauseProducer", "producerId"),
      resumeProducer: acknowledge("media.resumeProducer", "producerId"),
      closeProducer: acknowledge("media.closeProducer", "producerId"),
      restartIce: answer(
        "media.restartIce",
        (i: { transportId: string }) => i.transportId.split("-")[1]!,
        () => ({ iceParameters: { usernameFragment: "fresh", password: "p2" } }),
      ),
      closeTransports: answer("media.closeTransports", none, () => ({})),
    },
  };
  const push = (event: MeetingEvent) => observer?.onData?.({ id: `${calls.length}-0`, data: event });
  return { client, calls, push, holdConsumeAnswers, transportAnswers };
}

/** What building the SFU path sends once both transports exist (in any order): publish ours, consume Bob's, play his audio. */
const BUILD_CALLS = [
  "media.connectTransport send",
  "media.produce camera",
  "media.produce mic",
  "media.consume bob-mic",
  "media.consume bob-camera",
  "media.connectTransport recv",
  "media.resumeConsumer c-bob-mic",
].sort();

let engine: SfuEngine | null = null;

beforeEach(() => {
  useMeetingStore.getState().reset();
  // the realtime socket is up (the engine shows "Reconnecting" while it is not)
  useRealtimeStatus.setState({ status: "open" });
  fakes.transports.length = 0;
  fakes.consumers.length = 0;
});

afterEach(() => {
  engine?.leaveNow();
  engine = null;
});

/** Joins an SFU meeting with a microphone and a camera; resolves once the media is up. */
async function joined() {
  const signaling = fakeSignaling();
  engine = new SfuEngine(signaling.client);
  await engine.join({ code: "abcd2345", camera: fakeTrack("video"), mic: fakeTrack("audio") });
  await vi.waitFor(() => expect(useMeetingStore.getState().connection).toBe("Connected"));
  // the audio plays at once (its resume goes out after the consumer exists, outside the join's work)
  await vi.waitFor(() => expect(signaling.calls).toContain("media.resumeConsumer c-bob-mic"));
  return { ...signaling, engine };
}

describe("SFU engine signaling", () => {
  test("join: join the room, follow its events, create both transports, publish camera then mic while consuming what the others publish, resume the audio", async () => {
    // audio plays at once; a video only once its tile is on screen
    const { calls } = await joined();
    expect(calls.slice(0, 4)).toEqual(["room.join", "room.events from 0-0", "media.createTransport send", "media.createTransport recv"]);
    expect(calls.slice(4).sort()).toEqual(BUILD_CALLS);
    const at = (call: string) => calls.indexOf(call);
    // the video people look for goes first; consuming does not wait for our publishing
    expect(at("media.produce camera")).toBeLessThan(at("media.produce mic"));
    expect(at("media.consume bob-mic")).toBeLessThan(at("media.produce mic"));
    expect(at("media.consume bob-camera")).toBeLessThan(at("media.produce mic"));
    // the server's consumers first, then the receive transport connects on the first local one
    expect(at("media.consume bob-camera")).toBeLessThan(at("media.connectTransport recv"));
    expect(
      Object.values(useMeetingStore.getState().tracks)
        .map((t) => `${t.peerId} ${t.source}`)
        .sort(),
    ).toEqual(["bob camera", "bob mic"]);
  });

  test("a producer announced while our transports are being created is consumed before our own publishing ends", async () => {
    const signaling = fakeSignaling();
    let createTransports = () => {};
    signaling.transportAnswers.held = new Promise<void>((resolve) => (createTransports = resolve));
    engine = new SfuEngine(signaling.client);
    const joining = engine.join({ code: "abcd2345", camera: fakeTrack("video"), mic: fakeTrack("audio") });
    await vi.waitFor(() => expect(signaling.calls).toContain("media.createTransport recv"));
    // the newcomer whose join moved the meeting to the SFU publishes meanwhile
    signaling.push({ type: "peer.joined", peer: peer("cleo") });
    signaling.push({ type: "producer.new", peerId: "cleo", producer: { producerId: "cleo-camera", kind: "video", source: "camera", paused: false } });
    createTransports();
    await joining;
    await vi.waitFor(() => expect(signaling.calls).toContain("media.consume cleo-camera"));
    const at = (call: string) => signaling.calls.indexOf(call);
    expect(at("media.consume cleo-camera")).toBeLessThan(at("media.produce mic"));
  });

  test("producers announced together are consumed together: the second consume does not wait for the first one's answer", async () => {
    const { calls, push, holdConsumeAnswers } = await joined();
    calls.length = 0;
    const answer = holdConsumeAnswers();
    push({ type: "peer.joined", peer: peer("cleo") });
    push({ type: "producer.new", peerId: "cleo", producer: { producerId: "cleo-mic", kind: "audio", source: "mic", paused: false } });
    push({ type: "producer.new", peerId: "cleo", producer: { producerId: "cleo-camera", kind: "video", source: "camera", paused: false } });
    await vi.waitFor(() => expect(calls).toEqual(["media.consume cleo-mic", "media.consume cleo-camera"]));
    answer();
    await vi.waitFor(() => expect(calls).toContain("media.resumeConsumer c-cleo-mic"));
    expect(
      Object.values(useMeetingStore.getState().tracks)
        .filter((t) => t.peerId === "cleo")
        .map((t) => t.source)
        .sort(),
    ).toEqual(["camera", "mic"]);
  });

  test("a producer that closes while it is being consumed is not shown", async () => {
    const { calls, push, holdConsumeAnswers } = await joined();
    calls.length = 0;
    const answer = holdConsumeAnswers();
    push({ type: "peer.joined", peer: peer("cleo") });
    push({ type: "producer.new", peerId: "cleo", producer: { producerId: "cleo-camera", kind: "video", source: "camera", paused: false } });
    await vi.waitFor(() => expect(calls).toEqual(["media.consume cleo-camera"]));
    push({ type: "producer.closed", peerId: "cleo", producerId: "cleo-camera" });
    answer();
    // the consumer arrives after the drop: it is closed, not added
    await vi.waitFor(() => expect(fakes.consumers.find((c) => c.producerId === "cleo-camera")?.closed).toBe(true));
    expect(Object.values(useMeetingStore.getState().tracks).some((t) => t.peerId === "cleo")).toBe(false);
  });

  test("a video on screen is resumed; off screen it is paused again", async () => {
    const { calls, engine } = await joined();
    calls.length = 0;
    engine.setVideoVisible("bob", "camera", true);
    await vi.waitFor(() => expect(calls).toEqual(["media.resumeConsumer c-bob-camera"]));
    engine.setVideoVisible("bob", "camera", false);
    await vi.waitFor(() => expect(calls).toEqual(["media.resumeConsumer c-bob-camera", "media.pauseConsumer c-bob-camera"]));
  });

  test("a producer appearing is consumed (our own is not); a producer closing drops its track", async () => {
    const { calls, push } = await joined();
    calls.length = 0;
    push({ type: "peer.joined", peer: peer("cleo") });
    push({ type: "producer.new", peerId: "me", producer: { producerId: "me-screen", kind: "video", source: "screen", paused: false } });
    push({ type: "producer.new", peerId: "cleo", producer: { producerId: "cleo-mic", kind: "audio", source: "mic", paused: false } });
    await vi.waitFor(() => expect(calls).toEqual(["media.consume cleo-mic", "media.resumeConsumer c-cleo-mic"]));
    push({ type: "producer.closed", peerId: "cleo", producerId: "cleo-mic" });
    await vi.waitFor(() => expect(Object.values(useMeetingStore.getState().tracks).some((t) => t.peerId === "cleo")).toBe(false));
  });

  test("publishing: mute pauses the mic producer and tells the room; a new camera replaces the old producer; stop camera closes it", async () => {
    const { calls, engine } = await joined();
    calls.length = 0;
    await engine.setMicMuted(true);
    expect(calls).toEqual(["room.setMicMuted muted=true", "media.pauseProducer me-mic"]);
    calls.length = 0;
    await engine.setMicMuted(false);
    expect(calls).toEqual(["room.setMicMuted muted=false", "media.resumeProducer me-mic"]);
    calls.length = 0;
    await engine.startCamera(fakeTrack("video"));
    expect(calls).toEqual(["media.closeProducer me-camera", "media.produce camera"]);
    calls.length = 0;
    await engine.stopCamera();
    expect(calls).toEqual(["media.closeProducer me-camera"]);
    expect(useMeetingStore.getState().local.camera).toBeNull();
  });

  test("fresh ICE servers (TURN credentials) go to both SFU transports in place: nothing is rebuilt, the call stays connected", async () => {
    const { calls, client } = await joined();
    calls.length = 0;
    const fresh = [{ urls: ["turn:turn.example.org:3478"], username: "1800000000:me", credential: "fresh" }];
    client.room.iceServers = { query: async () => ({ iceServers: fresh, expiresInS: 3600, relayNotice: null }) };
    await engine!.refreshIceServers();
    expect(fakes.transports.map((t) => [t.direction, t.iceServers, t.closed])).toEqual([
      ["send", fresh, false],
      ["recv", fresh, false],
    ]);
    expect(calls).toEqual([]);
    expect(useMeetingStore.getState().connection).toBe("Connected");
  });

  test("over the daily relay allowance the join goes on and the meeting page shows the notice", async () => {
    const signaling = fakeSignaling();
    const notice = "You have used today's relay allowance; calls behind strict firewalls may fail.";
    const join = signaling.client.room.join.mutate;
    signaling.client.room.join = { mutate: async (input) => ({ ...(await join(input)), relayNotice: notice }) };
    engine = new SfuEngine(signaling.client);
    await engine.join({ code: "abcd2345", camera: fakeTrack("video"), mic: fakeTrack("audio") });
    await vi.waitFor(() => expect(useMeetingStore.getState().connection).toBe("Connected"));
    expect(useMeetingStore.getState().notice?.text).toBe(notice);
  });

  test("a transport that fails restarts ICE with fresh parameters from the server and shows Reconnecting meanwhile", async () => {
    const { calls } = await joined();
    calls.length = 0;
    const send = fakes.transports.find((t) => t.direction === "send")!;
    send.connectionState = "failed";
    send.emit("connectionstatechange", "failed");
    expect(useMeetingStore.getState().connection).toBe("Reconnecting");
    await vi.waitFor(() => expect(send.restartedWith).toEqual({ usernameFragment: "fresh", password: "p2" }));
    expect(calls[0]).toBe("media.restartIce send");
    send.connectionState = "connected";
    send.emit("connectionstatechange", "connected");
    expect(useMeetingStore.getState().connection).toBe("Connected");
  });

  test("media server lost: reconnect the media, then build both transports again, publish and consume again", async () => {
    const { calls, push } = await joined();
    calls.length = 0;
    push({ type: "media.lost", message: "worker died" });
    await vi.waitFor(() => expect(calls).toContain("media.resumeConsumer c-bob-mic"));
    expect(calls.slice(0, 3)).toEqual(["room.reconnectMedia", "media.createTransport send", "media.createTransport recv"]);
    expect(calls.slice(3).sort()).toEqual(BUILD_CALLS);
    expect(fakes.transports.filter((t) => t.closed).length).toBe(2);
    await vi.waitFor(() => expect(useMeetingStore.getState().connection).toBe("Connected"));
  });
});

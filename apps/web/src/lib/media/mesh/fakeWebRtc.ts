// For the mesh's unit tests (mesh.test.ts): a small in-memory stand-in for the browser's RTCPeerConnection and
// MediaStream, and a relay in place of the server's signal route. Two fake connections connect once each has
// applied the other's description; a connection's video "decodes frames" while the other side sends (it can be
// told to send nothing, as Chromium did after a rollback). Just enough of WebRTC for the mesh's contract.
import type { MediaSource } from "@qualmeet/api";
import type { P2PSignal } from "../signaling";
import type { MeshHost, RemoteTracks } from "./peer";

let counter = 0;
const nextId = (prefix: string) => `${prefix}${++counter}`;

export class FakeMediaStream {
  readonly id = nextId("stream");
  addEventListener(): void {}
}

export class FakeTrack {
  readonly id = nextId("track");
  readyState = "live";
  /** the camera delivers no frames (every connection sending it sends nothing) */
  frozen = false;
  constructor(readonly kind: "audio" | "video") {}
}

interface SdpTrack {
  id: string;
  kind: string;
  stream: string;
}
interface Received {
  track: { id: string; kind: string };
  senderTrackId: string;
  frames: number;
  active: boolean;
  mid: string;
}
interface FakeSender {
  track: FakeTrack | null;
  replaceTrack(track: FakeTrack | null): Promise<void>;
}

const registry = new Map<string, FakePeerConnection>();

export class FakePeerConnection {
  static readonly all: FakePeerConnection[] = [];
  static rollbacks = 0;
  readonly id = nextId("pc");
  connectionState: RTCPeerConnectionState = "new";
  signalingState: RTCSignalingState = "stable";
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: { type: RTCSdpType; sdp: string } | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: { toJSON(): unknown } | null }) => void) | null = null;
  ontrack: ((event: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  /** Chromium after a rollback: the connection stays up and sends nothing */
  sendsNothing = false;
  private readonly senders: Array<{ sender: FakeSender; stream: string; mid: string }> = [];
  private readonly received = new Map<string, Received>();
  private negotiated = "[]";
  private remotePc: string | null = null;
  private closed = false;

  constructor() {
    registry.set(this.id, this);
    FakePeerConnection.all.push(this);
  }

  addTrack(track: FakeTrack, stream: FakeMediaStream): FakeSender {
    const sender: FakeSender = {
      track,
      replaceTrack: async (t) => {
        sender.track = t;
      },
    };
    this.senders.push({ sender, stream: stream.id, mid: nextId("mid") });
    this.queueNegotiation();
    return sender;
  }

  removeTrack(sender: FakeSender): void {
    const i = this.senders.findIndex((s) => s.sender === sender);
    if (i >= 0) this.senders.splice(i, 1);
    this.queueNegotiation();
  }

  private sdpTracks(): SdpTrack[] {
    return this.senders.filter((s) => s.sender.track).map((s) => ({ id: s.sender.track!.id, kind: s.sender.track!.kind, stream: s.stream }));
  }

  private needsNegotiation(): boolean {
    return JSON.stringify(this.senders.map((s) => s.mid)) !== this.negotiated;
  }

  private queueNegotiation(): void {
    setTimeout(() => {
      if (!this.closed && this.signalingState === "stable" && this.needsNegotiation()) this.onnegotiationneeded?.();
    }, 0);
  }

  /** Chromium never settles an operation of a connection closed meanwhile */
  private async settle(): Promise<void> {
    await Promise.resolve();
    if (this.closed) await new Promise(() => undefined);
  }

  async setLocalDescription(description?: { type: RTCSdpType }): Promise<void> {
    await this.settle();
    if (description?.type === "rollback") {
      // what Chromium did: after the rollback the connection sends nothing, and renegotiating does not help
      FakePeerConnection.rollbacks++;
      this.sendsNothing = true;
      this.signalingState = "stable";
      return;
    }
    const sdp = `v=0\r\na=fake:${JSON.stringify({ pc: this.id, tracks: this.sdpTracks() })}\r\n`;
    if (this.signalingState === "stable") {
      this.localDescription = { type: "offer", sdp };
      this.signalingState = "have-local-offer";
    } else if (this.signalingState === "have-remote-offer") {
      this.localDescription = { type: "answer", sdp };
      this.becameStable();
    } else {
      throw new Error(`InvalidStateError: setLocalDescription in ${this.signalingState}`);
    }
    setTimeout(() => {
      if (!this.closed) this.onicecandidate?.({ candidate: { toJSON: () => ({ candidate: "candidate:fake", sdpMid: "0", sdpMLineIndex: 0, usernameFragment: this.id }) } });
    }, 5);
  }

  async setRemoteDescription(description: { type: RTCSdpType; sdp?: string }): Promise<void> {
    await this.settle();
    const remote = JSON.parse(/a=fake:(.*)\r\n/.exec(description.sdp ?? "")![1]!) as { pc: string; tracks: SdpTrack[] };
    if (description.type === "offer" && this.signalingState !== "stable") throw new Error(`InvalidStateError: offer in ${this.signalingState} (glare needs a rollback)`);
    if (description.type === "answer" && this.signalingState !== "have-local-offer") throw new Error(`InvalidStateError: answer in ${this.signalingState}`);
    this.remoteDescription = { type: description.type, sdp: description.sdp ?? "" };
    this.remotePc = remote.pc;
    for (const r of this.received.values()) r.active = remote.tracks.some((t) => t.id === r.senderTrackId);
    for (const t of remote.tracks) {
      if (this.received.has(t.id)) continue;
      const entry: Received = { track: { id: `${t.id}@${this.id}`, kind: t.kind }, senderTrackId: t.id, frames: 0, active: true, mid: nextId("mid") };
      this.received.set(t.id, entry);
      const receiver = { track: entry.track, getStats: async () => this.statsOf([entry]) };
      this.ontrack?.({ track: entry.track, streams: [{ id: t.stream, addEventListener() {} }], receiver, transceiver: { mid: entry.mid } });
    }
    if (description.type === "offer") this.signalingState = "have-remote-offer";
    else this.becameStable();
  }

  private becameStable(): void {
    this.signalingState = "stable";
    this.negotiated = JSON.stringify(this.senders.map((s) => s.mid));
    const peer = this.remotePc ? registry.get(this.remotePc) : undefined;
    if (peer && !peer.closed && peer.remotePc === this.id && peer.signalingState === "stable" && this.connectionState !== "connected") {
      setTimeout(() => {
        for (const pc of [this, peer]) pc.setConnectionState("connected");
      }, 20);
    }
    this.queueNegotiation();
  }

  private setConnectionState(state: RTCPeerConnectionState): void {
    if (this.closed || this.connectionState === state) return;
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  /** One frame interval: every video received from a connected, sending peer decodes a frame. */
  tick(): void {
    const peer = this.remotePc ? registry.get(this.remotePc) : undefined;
    if (this.connectionState !== "connected" || !peer || peer.connectionState !== "connected" || peer.sendsNothing) return;
    for (const r of this.received.values()) {
      const sending = peer.senders.find((s) => s.sender.track?.id === r.senderTrackId)?.sender.track;
      if (r.active && sending && !sending.frozen) r.frames++;
    }
  }

  private statsOf(entries: Received[]): Map<string, Record<string, unknown>> {
    return new Map(entries.map((r) => [r.track.id, { type: "inbound-rtp", kind: r.track.kind, trackIdentifier: r.track.id, framesDecoded: r.frames, packetsReceived: r.frames }]));
  }

  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    return this.statsOf([...this.received.values()]);
  }

  getTransceivers(): unknown[] {
    return [
      ...this.senders.map((s) => ({ mid: s.mid, currentDirection: "sendonly", receiver: { track: { id: nextId("unused"), kind: s.sender.track?.kind ?? "audio" } } })),
      ...[...this.received.values()].map((r) => ({ mid: r.mid, currentDirection: r.active ? "recvonly" : "inactive", receiver: { track: r.track } })),
    ];
  }

  async addIceCandidate(candidate: { usernameFragment?: string | null }): Promise<void> {
    if (this.closed || !this.remoteDescription) throw new Error("InvalidStateError: no remote description");
    if (candidate.usernameFragment !== this.remotePc) throw new Error("OperationError: unknown ufrag");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signalingState = "closed";
    this.connectionState = "closed";
    const peer = this.remotePc ? registry.get(this.remotePc) : undefined;
    if (peer?.remotePc === this.id) setTimeout(() => peer.setConnectionState("disconnected"), 20);
  }

  restartIce(): void {}
  /** as given to the constructor, then to setConfiguration (fresh TURN credentials) */
  private configuration: RTCConfiguration = {};
  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }
  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
  }
}

/** A participant's remote tracks as the tiles would see them. */
export class RecordedTracks implements RemoteTracks {
  readonly tracks = new Map<string, { track: { id: string }; flowing: boolean }>();
  add(peerId: string, source: MediaSource, track: MediaStreamTrack): void {
    this.tracks.set(`${peerId}:${source}`, { track, flowing: false });
  }
  remove(peerId: string, source: MediaSource, track: MediaStreamTrack | null): void {
    const key = `${peerId}:${source}`;
    if (track === null || this.tracks.get(key)?.track === track) this.tracks.delete(key);
  }
  flowing(peerId: string, source: MediaSource, track: MediaStreamTrack): void {
    const entry = this.tracks.get(`${peerId}:${source}`);
    if (entry?.track === track) entry.flowing = true;
  }
}

export interface RelayedSignal {
  from: string;
  to: string;
  kind: "offer" | "answer" | "candidate";
}

/** The server's signal relay: delivers each signal (a JSON copy) to the target after `latencyMs`, in order. */
export class FakeRelay {
  readonly log: RelayedSignal[] = [];
  /** signals for which this returns true are lost */
  drop: (signal: RelayedSignal) => boolean = () => false;
  private readonly targets = new Map<string, { handleSignal(from: string, signal: P2PSignal): void }>();

  constructor(private readonly latencyMs = 30) {}

  register(peerId: string, target: { handleSignal(from: string, signal: P2PSignal): void }): void {
    this.targets.set(peerId, target);
  }

  host(selfPeerId: string, localTracks: Partial<Record<MediaSource, FakeTrack>>): MeshHost {
    return {
      selfPeerId,
      send: async (targetPeerId, signal) => {
        const entry: RelayedSignal = { from: selfPeerId, to: targetPeerId, kind: signal.description ? (signal.description.type as "offer" | "answer") : "candidate" };
        this.log.push(entry);
        if (this.drop(entry)) return;
        const copy = JSON.parse(JSON.stringify(signal)) as P2PSignal;
        setTimeout(() => this.targets.get(targetPeerId)?.handleSignal(selfPeerId, copy), this.latencyMs);
      },
      iceServers: () => [],
      freshIceServers: () => Promise.resolve(),
      iceTransportPolicy: "all",
      localTrack: (source) => (localTracks[source] as unknown as MediaStreamTrack | undefined) ?? null,
      onHealthChange: () => undefined,
    };
  }

  offers(): number {
    return this.log.filter((s) => s.kind === "offer").length;
  }
}

// One remote participant of the P2P mesh: an RTCPeerConnection negotiated over the server's signal relay, and
// the one way it heals: replacing the connection with a new one (PeerHealth decides when). Every description
// carries the sender's connection id (description.ts); a side that receives an offer from a connection it is
// not paired with follows with a new connection of its own that answers it.
//
// Negotiation is perfect negotiation without rollback. The lexicographically smaller peer id is the polite
// side. A new (unpaired) connection is offered by the impolite side only, so joins start without glare; the
// polite side offers on a new connection only when its health check replaced one that never got an offer. On
// glare the impolite side ignores the other offer, and the polite side, instead of rolling its offer back
// (after a rollback Chromium can send nothing on that connection, and renegotiating does not revive it),
// replaces its connection: the impolite side sees the new connection id and follows.
import type { MediaSource } from "@qualmeet/api";
import type { PeerStats } from "../engine";
import { sleep } from "../mediaCalls";
import type { P2PSignal } from "../signaling";
import { decodeDescription, encodeDescription, type MeshDescription } from "./description";
import { PeerHealth, type HealthSample } from "./health";
import { reportMedia } from "../mediaReports";

export interface MeshHost {
  readonly selfPeerId: string;
  send(targetPeerId: string, signal: P2PSignal): Promise<void>;
  iceServers(): RTCIceServer[];
  /** Replaces ICE servers whose TURN credentials are due (a connection that heals must not gather with expired ones). */
  freshIceServers(): Promise<void>;
  /** ICE_TRANSPORT_POLICY: "relay" gathers and uses TURN candidates only */
  readonly iceTransportPolicy: RTCIceTransportPolicy;
  /** the tracks we publish now (a muted mic is sent as no track) */
  localTrack(source: MediaSource): MediaStreamTrack | null;
  /** a connection's health changed (for the "Reconnecting" state) */
  onHealthChange(): void;
}

/** Where the mesh puts the remote tracks it receives (the meeting store in the app). */
export interface RemoteTracks {
  add(peerId: string, source: MediaSource, track: MediaStreamTrack): void;
  /** removes the source's track if it is still `track` */
  remove(peerId: string, source: MediaSource, track: MediaStreamTrack | null): void;
  /** the track carries media (a decoded frame, or audio packets) */
  flowing(peerId: string, source: MediaSource, track: MediaStreamTrack): void;
}

export const SOURCES: readonly MediaSource[] = ["mic", "camera", "screen"];
/** how long a connection may be unhealthy before it is replaced: the polite side gives the impolite one a head start */
export const GRACE_MS = { impolite: 3000, polite: 5000 };
export const MAX_BACKOFF_MS = 15_000;
const HEALTH_EVERY_MS = 1000;
const FLOWING_POLL_MS = 100;
const FLOWING_POLLS = 300;

const debug = (...args: unknown[]) => {
  if (typeof window !== "undefined" && (window as { __qualmeetDebug?: boolean }).__qualmeetDebug) console.log("[mesh]", ...args);
};

const newConnectionId = () => Math.random().toString(36).slice(2, 10);

export class MeshPeer {
  pc!: RTCPeerConnection;
  readonly polite: boolean;
  /** our connection's id, and the other side's connection ours is paired with (null: none yet) */
  connectionId = "";
  private remoteConnectionId: string | null = null;
  /** whether our connection may offer before it is paired (see the header) */
  private offersFirst = false;
  private makingOffer = false;
  private readonly streams = new Map<MediaSource, MediaStream>();
  private readonly senders = new Map<MediaSource, RTCRtpSender>();
  private remoteSources: Record<string, MediaSource> = {};
  /** the remote tracks of the current connection, by track id */
  private readonly remoteTracks = new Map<string, { source: MediaSource; track: MediaStreamTrack }>();
  /** the replaced connection's remote tracks: shown until the new connection's tracks take their place */
  private previousTracks: Array<{ source: MediaSource; track: MediaStreamTrack }> = [];
  private chain: Promise<void> = Promise.resolve();
  /**
   * Candidates that came before the description they belong to: the server relays each signal on its own and
   * one can overtake another (a small candidate passes a big answer). Dropping them left ICE to find the path
   * from the other side's checks alone, seconds later.
   */
  private earlyCandidates: RTCIceCandidateInit[] = [];
  private readonly health: PeerHealth;
  private readonly healthTimer: ReturnType<typeof setInterval>;
  private checkingHealth = false;
  troubled = false;
  closed = false;
  /** how many times the connection was replaced (debugging and tests) */
  replacements = 0;
  /** wall-clock time of the first decoded remote video frame (debugging and tests) */
  firstFrameAt: number | null = null;
  readonly createdAt = Date.now();

  constructor(
    readonly peerId: string,
    private readonly host: MeshHost,
    private readonly tracks: RemoteTracks,
  ) {
    this.polite = host.selfPeerId < peerId;
    for (const source of SOURCES) this.streams.set(source, new MediaStream());
    this.health = new PeerHealth({ graceMs: this.polite ? GRACE_MS.polite : GRACE_MS.impolite, maxBackoffMs: MAX_BACKOFF_MS });
    this.connect(!this.polite);
    this.healthTimer = setInterval(() => void this.checkHealth(), HEALTH_EVERY_MS);
  }

  /** Opens a new connection in place of the current one (closed). `offersFirst`: it may offer before it is paired. */
  private connect(offersFirst: boolean): void {
    const old = this.pc as RTCPeerConnection | undefined;
    this.connectionId = newConnectionId();
    this.remoteConnectionId = null;
    this.offersFirst = offersFirst;
    this.makingOffer = false;
    this.previousTracks.push(...this.remoteTracks.values());
    this.remoteTracks.clear();
    this.earlyCandidates = [];
    const pc = new RTCPeerConnection({ iceServers: this.host.iceServers(), iceTransportPolicy: this.host.iceTransportPolicy });
    this.pc = pc;
    pc.onnegotiationneeded = () => {
      if (this.remoteConnectionId !== null || this.offersFirst) void this.offer(pc);
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && pc === this.pc) this.send({ candidate: candidate.toJSON() as P2PSignal["candidate"] });
    };
    pc.ontrack = (event) => this.onTrack(pc, event);
    pc.onconnectionstatechange = () => this.onState(pc);
    this.senders.clear();
    for (const source of SOURCES) {
      const track = this.host.localTrack(source);
      if (track && track.readyState === "live") this.senders.set(source, pc.addTrack(track, this.streams.get(source)!));
    }
    old?.close();
  }

  /** The one way a connection heals: a new one, which the other side follows (it sees the new connection id). */
  private replace(reason: string, offersFirst: boolean): void {
    if (this.closed) return;
    this.replacements++;
    debug(`replacing the connection to ${this.peerId.slice(0, 8)}: ${reason}`);
    this.connect(offersFirst);
    this.health.replaced(Date.now());
  }

  private send(signal: P2PSignal): void {
    this.host.send(this.peerId, signal).catch((error: unknown) => console.warn("[mesh] sending a signal failed", this.peerId, error));
  }

  /** Sends an offer (negotiationneeded, or forced by a test to provoke glare). */
  async offer(pc = this.pc): Promise<void> {
    if (pc !== this.pc || this.closed) return;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      if (pc !== this.pc) return;
      debug("sent", pc.localDescription?.type, "state", pc.signalingState);
      this.sendDescription(pc.localDescription!);
    } catch (error) {
      console.warn("[mesh] offer failed", this.peerId, error);
    } finally {
      if (pc === this.pc) this.makingOffer = false;
    }
  }

  private sendDescription(description: RTCSessionDescription): void {
    const sources: Record<string, MediaSource> = {};
    for (const source of SOURCES) if (this.senders.has(source)) sources[this.streams.get(source)!.id] = source;
    const type = description.type as MeshDescription["type"];
    this.send({ description: encodeDescription({ type, sdp: description.sdp, from: this.connectionId, to: this.remoteConnectionId ?? "", sources }) });
  }

  handleSignal(signal: P2PSignal): void {
    this.chain = this.chain.then(() => this.applySignal(signal)).catch((error: unknown) => console.warn("[mesh] signal failed", this.peerId, error));
  }

  private async applySignal(signal: P2PSignal): Promise<void> {
    if (this.closed) return;
    if (signal.description) {
      const description = decodeDescription(signal.description);
      if (!description) console.warn("[mesh] ignoring a description without a connection id", this.peerId, signal.description.type);
      else await this.applyDescription(description);
    } else if (signal.candidate) {
      if (!this.pc.remoteDescription) this.earlyCandidates.push(signal.candidate as RTCIceCandidateInit);
      else await this.addCandidate(this.pc, signal.candidate as RTCIceCandidateInit);
    }
  }

  private async addCandidate(pc: RTCPeerConnection, candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await pc.addIceCandidate(candidate);
    } catch (error) {
      // a candidate of a connection we replaced or an offer we ignored: expected, the health check covers the rest
      debug("candidate not added", error);
    }
  }

  /** The remote description is set: the candidates that came before it apply now. */
  private async addEarlyCandidates(pc: RTCPeerConnection): Promise<void> {
    const early = this.earlyCandidates;
    this.earlyCandidates = [];
    for (const candidate of early) if (pc === this.pc) await this.addCandidate(pc, candidate);
  }

  private async applyDescription(d: MeshDescription): Promise<void> {
    if (d.to && d.to !== this.connectionId) {
      debug("dropping a", d.type, "for a connection we replaced");
      return;
    }
    let pc = this.pc;
    debug("recv", d.type, "state", pc.signalingState, "makingOffer", this.makingOffer, "polite", this.polite);
    if (d.type === "answer") {
      if (pc.signalingState !== "have-local-offer") return debug("dropping an answer we did not ask for");
      Object.assign(this.remoteSources, d.sources);
      await pc.setRemoteDescription({ type: "answer", sdp: d.sdp });
      if (pc !== this.pc) return;
      this.paired(d.from);
      await this.addEarlyCandidates(pc);
      return;
    }
    const collision = this.makingOffer || pc.signalingState !== "stable";
    const fromNewConnection = this.remoteConnectionId === null ? collision : d.from !== this.remoteConnectionId;
    if (fromNewConnection) {
      // both sides opened a new connection at once: the impolite one's wins
      if (!this.polite && this.remoteConnectionId === null) return debug("ignoring the other side's new connection: ours wins");
      // the other side replaced its connection: follow with a new one that answers it (a paired one was healed:
      // people see "Reconnecting" until the new connection is up)
      if (this.remoteConnectionId !== null) this.setTroubled(true);
      await this.host.freshIceServers();
      if (this.closed) return;
      this.replace("the other side opened a new connection", false);
    } else if (collision) {
      if (!this.polite) return debug("glare: ignoring the other side's offer");
      this.replace("glare (instead of a rollback)", true);
      return;
    }
    pc = this.pc;
    Object.assign(this.remoteSources, d.sources);
    await pc.setRemoteDescription({ type: "offer", sdp: d.sdp });
    if (pc !== this.pc) return;
    this.paired(d.from);
    await this.addEarlyCandidates(pc);
    await pc.setLocalDescription();
    if (pc === this.pc) this.sendDescription(pc.localDescription!);
  }

  /**
   * Our connection applied the other side's description (its tracks arrived in ontrack meanwhile): a source
   * the replaced connection carried and this one does not is gone.
   */
  private paired(remoteConnectionId: string): void {
    this.remoteConnectionId = remoteConnectionId;
    for (const { source, track } of this.previousTracks) this.tracks.remove(this.peerId, source, track);
    this.previousTracks = [];
  }

  private onTrack(pc: RTCPeerConnection, event: RTCTrackEvent): void {
    if (pc !== this.pc) return;
    const stream = event.streams[0];
    const track = event.track;
    debug("ontrack", track.kind, event.transceiver.mid, stream?.id);
    const source: MediaSource = (stream && this.remoteSources[stream.id]) || (track.kind === "audio" ? "mic" : "camera");
    this.remoteTracks.set(track.id, { source, track });
    this.tracks.add(this.peerId, source, track);
    stream?.addEventListener("removetrack", (e) => {
      if (e.track === track) this.tracks.remove(this.peerId, source, track);
    });
    void this.watchFlowing(pc, event.receiver, source, track.kind === "video");
  }

  /** Marks the track flowing once a frame is decoded (video) or packets arrive (audio). */
  private async watchFlowing(pc: RTCPeerConnection, receiver: RTCRtpReceiver, source: MediaSource, video: boolean): Promise<void> {
    for (let i = 0; i < FLOWING_POLLS && pc === this.pc && !this.closed; i++) {
      const report = await receiver.getStats().catch(() => null);
      let ok = false;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp" && Number(video ? s.framesDecoded : s.packetsReceived) > 0) ok = true;
      });
      if (ok) {
        if (video) this.firstFrameAt ??= Date.now();
        this.tracks.flowing(this.peerId, source, receiver.track);
        return;
      }
      await sleep(FLOWING_POLL_MS);
    }
  }

  private async checkHealth(): Promise<void> {
    if (this.checkingHealth || this.closed) return;
    this.checkingHealth = true;
    try {
      const pc = this.pc;
      const sample = await this.sample(pc);
      if (pc !== this.pc || this.closed) return;
      const reason = this.health.observe(sample);
      // a polite connection that never got an offer offers itself; any other replacement is offered by the impolite side
      if (reason) {
        console.warn("[mesh] healing the connection to", this.peerId, reason);
        // people see "Reconnecting" until the new connection is up
        this.setTroubled(true);
        await this.host.freshIceServers();
        if (pc !== this.pc || this.closed) return;
        this.replace(reason, true);
      }
    } finally {
      this.checkingHealth = false;
    }
  }

  private async sample(pc: RTCPeerConnection): Promise<HealthSample> {
    const receiving = new Set<string>();
    for (const t of pc.getTransceivers()) {
      if (t.receiver.track.kind === "video" && (t.currentDirection === "recvonly" || t.currentDirection === "sendrecv")) receiving.add(t.receiver.track.id);
    }
    const videoFrames = new Map<string, number>();
    if (receiving.size > 0) {
      const report = await pc.getStats().catch((error: unknown) => {
        console.warn("[mesh] getStats failed", this.peerId, error);
        return null;
      });
      for (const id of receiving) videoFrames.set(id, 0);
      report?.forEach((s: Record<string, unknown>) => {
        const id = String(s.trackIdentifier);
        if (s.type === "inbound-rtp" && s.kind === "video" && receiving.has(id)) videoFrames.set(id, Number(s.framesDecoded ?? 0));
      });
    }
    const active = pc.getTransceivers().length > 0 || pc.remoteDescription !== null;
    return { now: Date.now(), connectionState: pc.connectionState, signalingState: pc.signalingState, active, videoFrames };
  }

  private onState(pc: RTCPeerConnection): void {
    if (pc !== this.pc || this.closed) return;
    const state = pc.connectionState;
    debug("connection", this.peerId.slice(0, 8), state);
    if (state === "failed") reportMedia({ kind: "ice", mode: "P2P", event: "failed" });
    if (state === "disconnected" || state === "failed") this.setTroubled(true);
    else if (state === "connected") this.setTroubled(false);
  }

  private setTroubled(troubled: boolean): void {
    if (this.troubled === troubled) return;
    this.troubled = troubled;
    this.host.onHealthChange();
  }

  /** Starts, replaces or stops sending a source. */
  setTrack(source: MediaSource, track: MediaStreamTrack | null): void {
    if (this.closed) return;
    const sender = this.senders.get(source);
    if (track && sender) {
      sender.replaceTrack(track).catch((error: unknown) => console.warn("[mesh] replaceTrack failed", source, error));
    } else if (track) {
      this.senders.set(source, this.pc.addTrack(track, this.streams.get(source)!));
    } else if (sender) {
      this.senders.delete(source);
      this.pc.removeTrack(sender);
    }
  }

  /** Mutes a source without renegotiating (the sender keeps its slot). */
  mute(source: MediaSource, track: MediaStreamTrack | null): void {
    const sender = this.senders.get(source);
    if (sender) sender.replaceTrack(track).catch((error: unknown) => console.warn("[mesh] replaceTrack failed", source, error));
    else if (track) this.setTrack(source, track);
  }

  setIceServers(iceServers: RTCIceServer[]): void {
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (error) {
      console.warn("[mesh] setConfiguration failed", error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.healthTimer);
    this.pc.close();
    for (const source of SOURCES) this.tracks.remove(this.peerId, source, null);
  }

  async stats(): Promise<PeerStats> {
    const out: PeerStats = {};
    const report = await this.pc.getStats().catch(() => null);
    report?.forEach((s: Record<string, unknown>) => {
      if (s.type !== "inbound-rtp") return;
      const n = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : 0);
      if (s.kind === "audio") {
        out.audio = { packetsReceived: n("packetsReceived"), packetsLost: n("packetsLost"), bytesReceived: n("bytesReceived") };
        return;
      }
      const video = {
        framesDecoded: n("framesDecoded"),
        frameWidth: n("frameWidth"),
        frameHeight: n("frameHeight"),
        packetsReceived: n("packetsReceived"),
        packetsLost: n("packetsLost"),
        paused: false,
        spatialLayers: 1,
        preferredLayers: null,
        currentLayers: null,
      };
      if (this.remoteTracks.get(String(s.trackIdentifier))?.source === "screen") out.screen = video;
      else out.camera = video;
    });
    return out;
  }
}

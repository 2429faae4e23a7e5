// The P2P mesh: one RTCPeerConnection per remote participant, negotiated with the W3C "perfect negotiation"
// pattern over the server's signal relay (room.signal -> p2p.signal). The lexicographically smaller peer id is
// the polite side: it rolls back its own offer on glare, the impolite side ignores the colliding offer, so
// simultaneous offers never wedge a call; a new connection is opened by the impolite side alone. Remote tracks go into the meeting store (via "p2p"); the engine
// (sfuEngine.ts, the topology controller) decides when the mesh runs.
import type { MediaSource } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";
import type { PeerStats } from "./engine";
import type { P2PSignal } from "./signaling";

export interface MeshHost {
  readonly selfPeerId: string;
  send(targetPeerId: string, signal: P2PSignal): Promise<void>;
  iceServers(): RTCIceServer[];
  /** the tracks we publish now (a muted mic is sent as no track) */
  localTrack(source: MediaSource): MediaStreamTrack | null;
  /** a connection's health changed (for the "Reconnecting" state) */
  onHealthChange(): void;
}

/** Which local stream carries which source: sent next to the SDP (stripped before it is applied). */
const SOURCES_LINE = /\r?\nx-qualmeet-sources=([^\r\n]*)/;
/** Which RTCPeerConnection of the sender the SDP belongs to: a new one means the sender rebuilt its connection. */
const SESSION_LINE = /\r?\nx-qualmeet-session=([^\r\n]*)/;
const SOURCES: MediaSource[] = ["mic", "camera", "screen"];
const DISCONNECTED_RESTART_MS = 2000;
const FAILED_REBUILD_MS = 12_000;
const FIRST_OFFER_WAIT_MS = 4000;
const MAX_STALL_REBUILDS = 3;
const ROLLBACK_CHECK_MS = 1000;

export const meshTrackId = (peerId: string, source: MediaSource) => `p2p:${peerId}:${source}`;

const debug = (...args: unknown[]) => {
  if (typeof window !== "undefined" && (window as { __qualmeetDebug?: boolean }).__qualmeetDebug) console.log("[mesh]", ...args);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class MeshPeer {
  pc: RTCPeerConnection;
  readonly polite: boolean;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private readonly streams = new Map<MediaSource, MediaStream>();
  private readonly senders = new Map<MediaSource, RTCRtpSender>();
  private remoteSources: Record<string, MediaSource> = {};
  /** our connection's id, and the other side's as last seen in its SDP */
  private session = "";
  private remoteSession: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private troubleTimer: ReturnType<typeof setTimeout> | null = null;
  private failedTimer: ReturnType<typeof setTimeout> | null = null;
  troubled = false;
  closed = false;
  /** connections replaced because video stalled (bounded: a sender that never sends would loop) */
  private rebuilds = 0;
  /** wall-clock time of the first decoded remote video frame (debugging and tests) */
  firstFrameAt: number | null = null;
  readonly createdAt = Date.now();

  constructor(
    readonly peerId: string,
    private readonly host: MeshHost,
  ) {
    this.polite = host.selfPeerId < peerId;
    for (const source of SOURCES) this.streams.set(source, new MediaStream());
    this.pc = this.createPc();
  }

  private createPc(): RTCPeerConnection {
    this.session = Math.random().toString(36).slice(2, 10);
    const pc = new RTCPeerConnection({ iceServers: this.host.iceServers() });
    pc.onnegotiationneeded = () => void this.offer(pc);
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && pc === this.pc) void this.host.send(this.peerId, { candidate: candidate.toJSON() as P2PSignal["candidate"] }).catch(() => undefined);
    };
    pc.ontrack = (event) => this.onTrack(pc, event);
    pc.onconnectionstatechange = () => this.onState(pc);
    this.senders.clear();
    for (const source of SOURCES) {
      const track = this.host.localTrack(source);
      if (track && track.readyState === "live") this.senders.set(source, pc.addTrack(track, this.streams.get(source)!));
    }
    void this.watchdog(pc);
    return pc;
  }

  /** Sends an offer (negotiationneeded, or forced by a test to provoke glare). */
  async offer(pc = this.pc): Promise<void> {
    if (pc !== this.pc || this.closed) return;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      debug("sent", pc.localDescription?.type, "state", pc.signalingState);
      await this.sendDescription(pc.localDescription!);
    } catch (error) {
      console.warn("[mesh] offer failed", error);
    } finally {
      this.makingOffer = false;
    }
  }

  private sendDescription(description: RTCSessionDescription): Promise<void> {
    const map = SOURCES.filter((s) => this.senders.has(s)).map((s) => `${this.streams.get(s)!.id}:${s}`).join(",");
    const sdp = `${description.sdp}\r\nx-qualmeet-sources=${map}\r\nx-qualmeet-session=${this.session}`;
    return this.host.send(this.peerId, { description: { type: description.type as "offer" | "answer", sdp } });
  }

  handleSignal(signal: P2PSignal): void {
    this.chain = this.chain.then(() => this.applySignal(signal)).catch((error: unknown) => console.warn("[mesh] signal failed", error));
  }

  private async applySignal(signal: P2PSignal): Promise<void> {
    if (this.closed) return;
    if (signal.description) {
      let sdp = signal.description.sdp ?? "";
      const sources = SOURCES_LINE.exec(sdp);
      if (sources) {
        sdp = sdp.replace(SOURCES_LINE, "");
        for (const pair of sources[1]!.split(",").filter(Boolean)) {
          const [streamId, source] = pair.split(":");
          if (streamId && source) this.remoteSources[streamId] = source as MediaSource;
        }
      }
      const session = SESSION_LINE.exec(sdp)?.[1] ?? null;
      sdp = sdp.replace(SESSION_LINE, "");
      const description = { type: signal.description.type, sdp } as RTCSessionDescriptionInit;
      // the other side replaced its connection (it could not heal it): follow with a new one of ours, which
      // answers its offer (renegotiating the old one would keep the old DTLS session)
      const replaced = description.type === "offer" && session !== null && this.remoteSession !== null && session !== this.remoteSession;
      if (session) this.remoteSession = session;
      if (replaced) {
        debug("the other side rebuilt its connection: rebuilding ours", this.peerId.slice(0, 8));
        this.rebuild();
      }
      const pc = this.pc;
      debug("recv", description.type, "state", pc.signalingState, "makingOffer", this.makingOffer, "polite", this.polite);
      // perfect negotiation: an offer collides when we are making one or are not stable
      const readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.settingRemoteAnswer);
      const collision = description.type === "offer" && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === "answer";
      try {
        // the polite side rolls back its own offer first (explicitly: Chromium's implicit rollback can leave senders detached)
        if (collision && pc.signalingState === "have-local-offer") await pc.setLocalDescription({ type: "rollback" });
        await pc.setRemoteDescription(description);
      } finally {
        this.settingRemoteAnswer = false;
      }
      if (description.type === "offer") {
        await pc.setLocalDescription();
        await this.sendDescription(pc.localDescription!);
        if (collision) void this.checkSendingAfterRollback(pc);
      }
    } else if (signal.candidate) {
      try {
        await this.pc.addIceCandidate(signal.candidate as RTCIceCandidateInit);
      } catch (error) {
        if (!this.ignoreOffer) console.warn("[mesh] candidate failed", error);
      }
    }
  }

  /**
   * Chromium can stop sending on a connection whose offer it rolled back (glare, polite side): the other side's
   * picture freezes. Packets that stop leaving after the rollback mean a new connection (the other side follows).
   */
  private async checkSendingAfterRollback(pc: RTCPeerConnection): Promise<void> {
    const packetsSent = async () => {
      let sent = 0;
      (await pc.getStats().catch(() => null))?.forEach((s: Record<string, unknown>) => {
        if (s.type === "outbound-rtp") sent += Number(s.packetsSent ?? 0);
      });
      return sent;
    };
    await sleep(ROLLBACK_CHECK_MS);
    const before = await packetsSent();
    await sleep(ROLLBACK_CHECK_MS);
    const after = await packetsSent();
    debug("after rollback: packets sent", before, "->", after, pc.connectionState);
    if (pc !== this.pc || this.closed || pc.connectionState !== "connected" || this.senders.size === 0) return;
    if (after === before) {
      debug("after rollback: nothing sent, rebuilding the connection", this.peerId.slice(0, 8));
      this.rebuild();
    }
  }

  private onTrack(pc: RTCPeerConnection, event: RTCTrackEvent): void {
    if (pc !== this.pc) return;
    const stream = event.streams[0];
    debug("ontrack", event.track.kind, event.transceiver.mid, stream?.id);
    const source: MediaSource = (stream && this.remoteSources[stream.id]) || (event.track.kind === "audio" ? "mic" : "camera");
    const id = meshTrackId(this.peerId, source);
    const track = event.track;
    useMeetingStore.getState().addTrack({ consumerId: id, producerId: id, peerId: this.peerId, source, kind: track.kind as "audio" | "video", track, via: "p2p" });
    stream?.addEventListener("removetrack", (e) => {
      debug("removetrack", e.track.kind);
      if (e.track !== track) return;
      const current = useMeetingStore.getState().tracks[id];
      if (current?.track === track) useMeetingStore.getState().removeTrack(id);
    });
    void this.watchFlowing(pc, event.receiver, id, track.kind === "video");
  }

  /**
   * A remote video that the connection carries but that stops decoding (Chromium can leave a sender detached
   * after a rollback): negotiate again, then replace the connection, a bounded number of times.
   */
  private async watchdog(pc: RTCPeerConnection): Promise<void> {
    let last = -1;
    let retries = 0;
    for (;;) {
      await sleep(3000);
      if (pc !== this.pc || this.closed) return;
      const report = await pc.getStats().catch(() => null);
      let frames = 0;
      let videos = 0;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp" && s.kind === "video") {
          videos++;
          frames += Number(s.framesDecoded ?? 0);
        }
      });
      const expected = Object.values(useMeetingStore.getState().tracks).some((t) => t.via === "p2p" && t.peerId === this.peerId && t.kind === "video");
      // no frames for 3 s (or none ever: then there is no inbound-rtp entry yet at all)
      const stuck = expected && frames === last && (videos > 0 || last === 0);
      last = frames;
      if (!stuck) {
        retries = 0;
        continue;
      }
      if (pc.connectionState !== "connected" || pc.signalingState !== "stable") continue;
      retries++;
      // a renegotiation re-attaches a sender Chromium left detached; when it does not (a rollback can break
      // the other side's sending for good), a new connection does: the other side follows our new session.
      // The impolite side rebuilds first, so two stalled sides do not both replace their connections at once.
      if (retries < (this.polite ? 4 : 2)) {
        debug("watchdog: video stalled, renegotiating", this.peerId.slice(0, 8));
        await this.offer(pc);
      } else if (this.rebuilds < MAX_STALL_REBUILDS) {
        this.rebuilds++;
        debug("watchdog: still stalled, rebuilding the connection", this.peerId.slice(0, 8));
        this.rebuild();
        return;
      }
    }
  }

  /** Marks the track flowing once a frame is decoded (video) or packets arrive (audio). */
  private async watchFlowing(pc: RTCPeerConnection, receiver: RTCRtpReceiver, id: string, video: boolean): Promise<void> {
    for (let i = 0; i < 300 && pc === this.pc && !this.closed; i++) {
      const report = await receiver.getStats().catch(() => null);
      let ok = false;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp" && Number(video ? s.framesDecoded : s.packetsReceived) > 0) ok = true;
      });
      if (ok) {
        if (video) this.firstFrameAt ??= Date.now();
        if (useMeetingStore.getState().tracks[id]?.track === receiver.track) useMeetingStore.getState().setTrackFlowing(id);
        return;
      }
      await sleep(100);
    }
  }

  private onState(pc: RTCPeerConnection): void {
    if (pc !== this.pc || this.closed) return;
    const state = pc.connectionState;
    debug("connection", this.peerId.slice(0, 8), state);
    if (state === "disconnected" || state === "failed") {
      this.setTroubled(true);
      // disconnected may heal by itself: restart ICE if it does not; failed: restart at once
      if (!this.troubleTimer) {
        this.troubleTimer = setTimeout(
          () => {
            this.troubleTimer = null;
            if (pc === this.pc && (pc.connectionState === "disconnected" || pc.connectionState === "failed")) pc.restartIce();
          },
          state === "failed" ? 0 : DISCONNECTED_RESTART_MS,
        );
      }
      // still failed after the ICE restart: build a new connection (the other side follows on our offer)
      if (state === "failed" && !this.failedTimer) {
        this.failedTimer = setTimeout(() => {
          this.failedTimer = null;
          if (pc === this.pc && pc.connectionState === "failed") this.rebuild();
        }, FAILED_REBUILD_MS);
      }
    } else if (state === "connected") {
      this.setTroubled(false);
    }
  }

  private setTroubled(troubled: boolean): void {
    if (this.troubled === troubled) return;
    this.troubled = troubled;
    this.host.onHealthChange();
  }

  /** Replaces the connection with a new one (after ICE could not be restarted). */
  rebuild(): void {
    if (this.closed) return;
    const old = this.pc;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pc = this.createPc();
    old.close();
  }

  /** Starts, replaces or stops sending a source. */
  setTrack(source: MediaSource, track: MediaStreamTrack | null): void {
    if (this.closed) return;
    const sender = this.senders.get(source);
    if (track && sender) {
      void sender.replaceTrack(track).catch(() => undefined);
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
    if (sender) void sender.replaceTrack(track).catch(() => undefined);
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
    if (this.troubleTimer) clearTimeout(this.troubleTimer);
    if (this.failedTimer) clearTimeout(this.failedTimer);
    this.pc.close();
    const store = useMeetingStore.getState();
    for (const source of SOURCES) store.removeTrack(meshTrackId(this.peerId, source));
  }

  async stats(): Promise<PeerStats> {
    const out: PeerStats = {};
    const report = await this.pc.getStats().catch(() => null);
    const sourceOfTrack = new Map<string, MediaSource>();
    for (const t of Object.values(useMeetingStore.getState().tracks)) if (t.via === "p2p" && t.peerId === this.peerId) sourceOfTrack.set(t.track.id, t.source);
    report?.forEach((s: Record<string, unknown>) => {
      if (s.type !== "inbound-rtp") return;
      const n = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : 0);
      if (s.kind === "audio") {
        out.audio = { packetsReceived: n("packetsReceived"), packetsLost: n("packetsLost"), bytesReceived: n("bytesReceived") };
        return;
      }
      const source = sourceOfTrack.get(String(s.trackIdentifier)) ?? "camera";
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
      if (source === "screen") out.screen = video;
      else out.camera = video;
    });
    return out;
  }
}

export class MeshEngine {
  private readonly peers = new Map<string, MeshPeer>();
  /** polite-side connections waiting for the other side's first offer */
  private readonly awaitingOffer = new Map<string, ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(private readonly host: MeshHost) {}

  /**
   * Connects to a participant. Only the impolite side (the larger peer id) offers first; the polite side waits
   * for that offer, so a join or a switch to P2P, where both sides learn of each other at once, starts without
   * glare (Chromium's implicit rollback at that moment could leave a connection that never carries frames).
   * If no offer comes within FIRST_OFFER_WAIT_MS the polite side offers itself; perfect negotiation still
   * settles any glare after that.
   */
  connect(peerId: string): void {
    if (this.closed || peerId === this.host.selfPeerId || this.peers.has(peerId) || this.awaitingOffer.has(peerId)) return;
    if (this.host.selfPeerId > peerId) {
      this.open(peerId);
      return;
    }
    this.awaitingOffer.set(
      peerId,
      setTimeout(() => {
        this.awaitingOffer.delete(peerId);
        debug("no first offer from", peerId, "- offering ourselves");
        this.open(peerId);
      }, FIRST_OFFER_WAIT_MS),
    );
  }

  private open(peerId: string): MeshPeer | null {
    if (this.closed) return null;
    const waiting = this.awaitingOffer.get(peerId);
    if (waiting) clearTimeout(waiting);
    this.awaitingOffer.delete(peerId);
    let peer = this.peers.get(peerId);
    if (!peer) {
      peer = new MeshPeer(peerId, this.host);
      this.peers.set(peerId, peer);
    }
    return peer;
  }

  handleSignal(fromPeerId: string, signal: P2PSignal): void {
    if (fromPeerId === this.host.selfPeerId) return;
    this.open(fromPeerId)?.handleSignal(signal);
  }

  removePeer(peerId: string): void {
    const waiting = this.awaitingOffer.get(peerId);
    if (waiting) clearTimeout(waiting);
    this.awaitingOffer.delete(peerId);
    this.peers.get(peerId)?.close();
    this.peers.delete(peerId);
    this.host.onHealthChange();
  }

  setTrack(source: MediaSource, track: MediaStreamTrack | null): void {
    for (const peer of this.peers.values()) peer.setTrack(source, track);
  }

  mute(source: MediaSource, track: MediaStreamTrack | null): void {
    for (const peer of this.peers.values()) peer.mute(source, track);
  }

  setIceServers(iceServers: RTCIceServer[]): void {
    for (const peer of this.peers.values()) peer.setIceServers(iceServers);
  }

  /** Test hook: every connection sends an offer now (two sides calling it at once provoke glare). */
  forceOffer(): Promise<void[]> {
    return Promise.all([...this.peers.values()].map((peer) => peer.offer()));
  }

  /** Test hook: ICE restart on every connection. */
  restartIce(): void {
    for (const peer of this.peers.values()) peer.pc.restartIce();
  }

  troubled(): boolean {
    return [...this.peers.values()].some((p) => p.troubled);
  }

  /** Per remote participant: connection state, politeness, when the first frame came. */
  describe(): Record<string, { connectionState: RTCPeerConnectionState; signalingState: RTCSignalingState; polite: boolean; firstFrameMs: number | null }> {
    const out: ReturnType<MeshEngine["describe"]> = {};
    for (const [id, p] of this.peers) {
      out[id] = { connectionState: p.pc.connectionState, signalingState: p.pc.signalingState, polite: p.polite, firstFrameMs: p.firstFrameAt ? p.firstFrameAt - p.createdAt : null };
    }
    return out;
  }

  async stats(): Promise<Record<string, PeerStats>> {
    const out: Record<string, PeerStats> = {};
    for (const [id, peer] of this.peers) out[id] = await peer.stats();
    return out;
  }

  get size(): number {
    return this.peers.size;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.awaitingOffer.values()) clearTimeout(timer);
    this.awaitingOffer.clear();
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    this.host.onHealthChange();
  }
}

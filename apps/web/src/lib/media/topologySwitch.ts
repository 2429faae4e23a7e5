// Which path the meeting's media takes: the server decides (room.join's `mode`, `mode.changed` events), "P2P"
// runs a MeshEngine (meshEngine.ts), "SFU" the mediasoup transports (sfuMedia.ts). A switch builds the new path
// first and drops the old one once the new one's media flows, tile by tile (the store's pickTrack shows
// whichever track of a peer's source flows), so nobody sees a black gap.
import type { PeerInfo } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";
import { CALL_TIMEOUT_MS, sleep, withTimeout } from "./mediaCalls";
import type { MediaSession } from "./mediaSession";
import { MeshEngine, type MeshHost } from "./meshEngine";
import type { SfuMedia } from "./sfuMedia";
import type { JoinResult, P2PSignal } from "./signaling";

/** How long a topology switch waits for the new path's media before it drops the old one anyway. */
const SWITCH_TIMEOUT_MS = 10_000;
export const MEDIA_SERVER_UNAVAILABLE = "Media server unavailable";
const DIRECT_FALLBACK = "Media server unavailable — using direct connections";
/** How long before the media server is asked again (a join it must serve, or a switch to the SFU that failed). */
export const MEDIA_SERVER_RETRY_MS = 3000;

export type Mode = "P2P" | "SFU";

export interface TopologyDescription {
  mode: Mode;
  switching: boolean;
  mesh: ReturnType<MeshEngine["describe"]> | null;
  sfu: boolean;
  switches: Array<{ to: string; startedAt: number; doneAt: number | null }>;
}

export class TopologySwitch {
  /** the topology the server asked for (the media runs on it once a switch is done) */
  mode: Mode = "SFU";
  mesh: MeshEngine | null = null;
  /** the mode a switch is working towards (switches are serialized on the session's queue) */
  private switchingTo: Mode | null = null;
  /** a node without a media server: the mesh carries every meeting, whatever its mode */
  private meshOnly = false;
  /** times of each topology switch (tests) */
  private readonly switchLog: TopologyDescription["switches"] = [];

  constructor(
    private readonly session: MediaSession,
    private readonly sfu: SfuMedia,
  ) {}

  /** The topology of a (re)join. */
  apply(res: JoinResult): void {
    this.mode = res.mode;
    this.meshOnly = !res.routerRtpCapabilities;
    useMeetingStore.getState().setTopology({ mode: res.mode, meshThreshold: res.meshThreshold, mediaServer: !!res.routerRtpCapabilities, switching: false });
  }

  /** Media after a join: the mesh in a P2P room (or without a media server), else the SFU transports. */
  async startMedia(res: JoinResult): Promise<void> {
    const caps = res.routerRtpCapabilities;
    if (this.mode === "P2P" || !caps) {
      // the mesh needs no device: connect first, load the device for a later switch to the SFU meanwhile
      this.startMesh(res.peers.map((p) => p.peerId));
      if (!caps) {
        this.sfu.transports.unloadDevice();
        useMeetingStore.getState().notify(DIRECT_FALLBACK);
        return;
      }
      // without a device a switch to the SFU loads one itself
      await this.sfu.transports.loadDevice(caps).catch((error: unknown) => console.warn("[media] loading the SFU device failed", error));
      return;
    }
    // the transports' server round trips overlap the device loading (sfuTransports.ts)
    void this.sfu.transports.loadDevice(caps);
    await this.sfu.build(res.peers);
  }

  /** The mesh connects to whoever joins while it carries (or is taking over) the media (the impolite side offers, see MeshEngine.connect). */
  onPeerJoined(peerId: string): void {
    if (peerId !== this.session.ids?.peerId && this.mesh && (this.mode === "P2P" || this.switchingTo === "P2P")) this.mesh.connect(peerId);
  }

  /**
   * An offer, answer or candidate from another participant. Outside P2P mode nothing new is negotiated (an answer
   * or a candidate would tell them our addresses): only a connection the mesh still has while the SFU takes over
   * hears from its peer, and a late offer does not start a mesh (the room's events are ordered: a switch to P2P is
   * seen before anyone's first offer for it).
   */
  onSignal(fromPeerId: string, signal: P2PSignal): void {
    const meshMode = this.mode === "P2P" || this.switchingTo === "P2P" || this.meshOnly;
    const mesh = meshMode ? this.ensureMesh() : this.mesh?.has(fromPeerId) ? this.mesh : null;
    mesh?.handleSignal(fromPeerId, signal);
  }

  /** The server moved the room to `mode`. */
  onModeChanged(mode: Mode, meshThreshold: number): void {
    useMeetingStore.getState().setTopology({ mode, meshThreshold });
    if (mode === this.mode) return;
    this.mode = mode;
    void this.session.enqueue(() => (mode === "SFU" ? this.switchToSfu() : this.switchToP2P()));
  }

  closeMesh(): void {
    const mesh = this.mesh;
    this.mesh = null;
    mesh?.close();
  }

  describe(): TopologyDescription {
    return { mode: this.mode, switching: this.switchingTo !== null, mesh: this.mesh?.describe() ?? null, sfu: this.sfu.transports.open, switches: this.switchLog };
  }

  private startMesh(peerIds: string[]): void {
    const mesh = this.ensureMesh();
    if (!mesh) return;
    for (const peerId of peerIds) mesh.connect(peerId);
    this.session.ready = true;
    this.session.onHealthChange();
  }

  private ensureMesh(): MeshEngine | null {
    const { session } = this;
    if (session.closed || !session.ids) return null;
    if (this.mesh) return this.mesh;
    const ids = session.ids;
    const host: MeshHost = {
      selfPeerId: ids.peerId,
      send: async (targetPeerId: string, signal: P2PSignal) => {
        await session.client.room.signal.mutate({ ...ids, targetPeerId, signal });
      },
      iceServers: () => session.iceServers,
      freshIceServers: () => session.freshIceServers(),
      iceTransportPolicy: session.iceTransportPolicy,
      localTrack: (source) => (source === "mic" ? (session.local.micMuted ? null : session.local.mic) : session.local[source]),
      onHealthChange: () => session.onHealthChange(),
    };
    this.mesh = new MeshEngine(host);
    return this.mesh;
  }

  private remotePeerIds(): string[] {
    const store = useMeetingStore.getState();
    return Object.keys(store.participants).filter((id) => id !== store.selfPeerId);
  }

  /** Whether every track of the `from` path that flows has a flowing counterpart on the `to` path. */
  private covered(from: "sfu" | "p2p", to: "sfu" | "p2p"): boolean {
    const tracks = Object.values(useMeetingStore.getState().tracks);
    return tracks
      .filter((t) => (t.via ?? "sfu") === from && t.flowing)
      .every((t) => tracks.some((o) => (o.via ?? "sfu") === to && o.flowing && o.peerId === t.peerId && o.source === t.source));
  }

  private async waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.session.closed && Date.now() < deadline) {
      if (check()) return true;
      await sleep(100);
    }
    return check();
  }

  /** P2P -> SFU: publish to and consume from the SFU, then close the mesh once the SFU's media flows. */
  private async switchToSfu(): Promise<void> {
    const { session, sfu } = this;
    const entry = { to: "SFU", startedAt: Date.now(), doneAt: null as number | null };
    this.switchLog.push(entry);
    this.switchingTo = "SFU";
    useMeetingStore.getState().setTopology({ switching: true });
    try {
      // with the device loaded at the join, the store knows everyone and what they publish: no round trip first
      let peers: Array<Pick<PeerInfo, "peerId" | "producers">> = Object.values(useMeetingStore.getState().participants);
      if (!sfu.transports.device) {
        const res = await withTimeout(session.client.room.reconnectMedia.mutate(session.peer), CALL_TIMEOUT_MS, "reconnectMedia timed out");
        if (!res.routerRtpCapabilities) throw new Error(MEDIA_SERVER_UNAVAILABLE);
        await sfu.transports.loadDevice(res.routerRtpCapabilities);
        peers = res.peers;
      }
      useMeetingStore.getState().setTopology({ mediaServer: true });
      if (this.mode !== "SFU") return;
      if (!sfu.transports.send) await sfu.build(peers);
    } catch (error) {
      console.warn("[media] switch to SFU failed", error);
      this.switchingTo = null;
      useMeetingStore.getState().setTopology({ switching: false, mediaServer: false });
      useMeetingStore.getState().notify(this.mesh ? DIRECT_FALLBACK : MEDIA_SERVER_UNAVAILABLE, "error");
      // keep trying while the room wants the SFU (the mesh carries the media meanwhile)
      setTimeout(() => {
        if (!session.closed && this.mode === "SFU" && !sfu.transports.send && this.switchingTo === null) {
          this.switchingTo = "SFU";
          void session.enqueue(() => this.switchToSfu());
        }
      }, MEDIA_SERVER_RETRY_MS);
      return;
    }
    // outside the queue: consuming new producers goes on while we wait
    void (async () => {
      await sleep(300);
      await this.waitUntil(() => this.mode !== "SFU" || this.covered("p2p", "sfu"), SWITCH_TIMEOUT_MS);
      await session.enqueue(async () => {
        if (this.mode !== "SFU") return;
        this.closeMesh();
        this.switchingTo = null;
        entry.doneAt = Date.now();
        useMeetingStore.getState().setTopology({ switching: false });
        session.onHealthChange();
      });
    })();
  }

  /** SFU -> P2P: build the mesh, then close the SFU producers, consumers and transports once it flows. */
  private async switchToP2P(): Promise<void> {
    const { session, sfu } = this;
    const entry = { to: "P2P", startedAt: Date.now(), doneAt: null as number | null };
    this.switchLog.push(entry);
    this.switchingTo = "P2P";
    useMeetingStore.getState().setTopology({ switching: true });
    const mesh = this.ensureMesh();
    if (!mesh) return;
    for (const peerId of this.remotePeerIds()) mesh.connect(peerId);
    void (async () => {
      await sleep(300);
      await this.waitUntil(() => this.mode !== "P2P" || this.covered("sfu", "p2p"), SWITCH_TIMEOUT_MS);
      await session.enqueue(async () => {
        if (this.mode !== "P2P") return;
        // the others drop their consumers of ours at once (producer.closed), then the server frees the rest
        await Promise.all(sfu.publisher.sources().map((source) => sfu.publisher.close(source)));
        await withTimeout(session.client.media.closeTransports.mutate(session.peer), CALL_TIMEOUT_MS, "closeTransports timed out").catch((error: unknown) => {
          console.warn("[media] closing the SFU transports failed", error);
        });
        sfu.close();
        session.ready = true;
        this.switchingTo = null;
        entry.doneAt = Date.now();
        useMeetingStore.getState().setTopology({ switching: false });
        session.onHealthChange();
      });
    })();
  }
}

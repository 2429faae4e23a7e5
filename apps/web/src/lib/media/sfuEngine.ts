// The SFU media engine: one send and one receive WebRTC transport to the meeting's mediasoup router
// (mediasoup-client), signaled over the realtime socket. Publishes the camera with 3 simulcast layers,
// receives only the videos on screen at the layer their tile needs, restarts ICE when a transport drops and
// rebuilds all media without a reload when the server reports the media worker lost.
import { Device, parseScalabilityMode } from "mediasoup-client";
import type { Consumer, Producer, ProducerOptions, RtpCodecCapability, Transport } from "mediasoup-client/types";
import type { MediaSource, PeerInfo, ProducerInfo, RoomEvent } from "@qualmeet/api";
import { useRealtimeStatus } from "@/lib/realtime";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { openMicrophone } from "./devices";
import type { JoinOptions, MediaEngine, PeerStats, VideoSource, VideoStats } from "./engine";
import { errorText } from "./errors";
import { MeshEngine, type MeshHost } from "./meshEngine";
import { applyRoomEvent, HOST_MUTED_YOU } from "./roomState";
import type { JoinResult, P2PSignal, PeerInput, SignalingClient, Subscription } from "./signaling";

/** Camera simulcast: quarter, half and full resolution (VP8, 3 temporal layers each). */
export const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: "r0", scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: "L1T3" } as RTCRtpEncodingParameters,
  { rid: "r1", scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: "L1T3" } as RTCRtpEncodingParameters,
  { rid: "r2", scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: "L1T3" } as RTCRtpEncodingParameters,
];

/**
 * The simulcast encodings for a camera track. Chromium only encodes as many layers as the capture size
 * allows (3 from 960x540, 2 from 480x270, else 1) and drops the top ones: so a small capture publishes the
 * top layers of CAMERA_ENCODINGS only, and its full resolution always gets through.
 */
export function cameraEncodings(track: MediaStreamTrack): RTCRtpEncodingParameters[] {
  const { width = 1280, height = 720 } = track.getSettings();
  const pixels = width * height;
  const layers = pixels >= 960 * 540 ? 3 : pixels >= 480 * 270 ? 2 : 1;
  if (layers === 1) return [{ scaleResolutionDownBy: 1, maxBitrate: 500_000 }];
  return CAMERA_ENCODINGS.slice(3 - layers).map((e, i, list) => ({ ...e, rid: `r${i}`, scaleResolutionDownBy: 2 ** (list.length - 1 - i) }));
}
const SCREEN_ENCODINGS: RTCRtpEncodingParameters[] = [{ maxBitrate: 1_500_000 }];

const JOIN_TIMEOUT_MS = 20_000;
/** ICE servers (TURN credentials) are refreshed well before they expire. */
export const ICE_REFRESH_MS = 45 * 60_000;
/** How long a topology switch waits for the new path's media before it drops the old one anyway. */
const SWITCH_TIMEOUT_MS = 10_000;
const MEDIA_SERVER_UNAVAILABLE = "Media server unavailable";
const DIRECT_FALLBACK = "Media server unavailable — using direct connections";
const RETRY_JOIN_MS = 3000;
const CALL_TIMEOUT_MS = 10_000;
/** A failed consume or consumer update is tried again this many times (backing off from 0.5 s). */
const CONSUME_RETRIES = 4;

interface ConsumerEntry {
  consumer: Consumer;
  peerId: string;
  source: MediaSource;
  kind: "audio" | "video";
  /** whether the server-side consumer is paused (consumers start paused) */
  serverPaused: boolean;
  /** last preferred layers sent */
  layers: { spatial: number; temporal: number } | null;
  spatialLayers: number;
  syncing: boolean;
  resync: boolean;
  /** failed updates in a row (retried a few times: a call can be lost while the socket moves) */
  failures: number;
}

interface Wanted {
  visible: boolean;
  width: number;
  height: number;
}

const key = (peerId: string, source: MediaSource) => `${peerId}:${source}`;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Extra tracing (first packet and frame per video) when the page sets `window.__qualmeetDebug` or `?debug=media`. */
function debugMedia(): boolean {
  if (typeof window === "undefined") return false;
  return !!(window as { __qualmeetDebug?: boolean }).__qualmeetDebug || new URLSearchParams(window.location.search).get("debug") === "media";
}

/** The tRPC error code (FORBIDDEN, NOT_FOUND, ...) of a failed call, if it is one. */
function errorCode(error: unknown): string | undefined {
  const data = (error as { data?: { code?: unknown } } | null)?.data;
  return typeof data?.code === "string" ? data.code : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Preferred spatial layer for a tile `height` CSS px tall (layers are ~1/4, 1/2 and full of a 720p camera). */
export function layerForHeight(heightPx: number, layers: number): { spatial: number; temporal: number } {
  const h = heightPx * (typeof window === "undefined" ? 1 : window.devicePixelRatio || 1);
  const top = Math.max(0, layers - 1);
  let spatial = top;
  if (h > 0 && h <= 200) spatial = 0;
  else if (h > 0 && h <= 400) spatial = 1;
  return { spatial: Math.min(spatial, top), temporal: h > 0 && h < 90 ? 1 : 2 };
}

/**
 * The meeting's media engine and topology controller. The server decides the topology (room.join's `mode`,
 * `mode.changed` events): "SFU" runs the mediasoup transports below, "P2P" a MeshEngine (meshEngine.ts). A
 * switch builds the new path first and drops the old one once the new one's media flows, tile by tile
 * (the store's pickTrack shows whichever track of a peer's source flows), so nobody sees a black gap.
 */
export class SfuEngine implements MediaEngine {
  get topology(): "sfu" | "p2p" {
    return this.mode === "P2P" ? "p2p" : "sfu";
  }
  /** the topology the server asked for, and the one our media runs on (they differ during a switch) */
  private mode: "P2P" | "SFU" = "SFU";
  private mesh: MeshEngine | null = null;
  private routerCaps: JoinResult["routerRtpCapabilities"] = null;
  private iceTimer: ReturnType<typeof setInterval> | null = null;
  /** the mode a switch is working towards (switches are serialized on the queue) */
  private switchingTo: "P2P" | "SFU" | null = null;
  /** times of the last topology switch (tests) */
  switchLog: Array<{ to: string; startedAt: number; doneAt: number | null }> = [];

  private ids: PeerInput | null = null;
  private code = "";
  private device: Device | null = null;
  private iceServers: RTCIceServer[] = [];
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  private readonly producers = new Map<MediaSource, Producer>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** producers consumed (or being consumed) with the current transports */
  private readonly consumed = new Set<string>();
  private readonly wanted = new Map<string, Wanted>();
  private readonly troubled = new Set<string>();
  private readonly iceRestarting = new Set<string>();
  private local: { camera: MediaStreamTrack | null; mic: MediaStreamTrack | null; screen: MediaStreamTrack | null; micMuted: boolean } = {
    camera: null,
    mic: null,
    screen: null,
    micMuted: false,
  };
  private queue: Promise<void> = Promise.resolve();
  private events: Subscription | null = null;
  private unwatchSocket: (() => void) | null = null;
  private ready = false;
  private recovering = false;
  private closed = false;
  /** bumps whenever the transports are rebuilt: work for older transports is dropped */
  private epoch = 0;
  /** steps of the last media rebuild with their wall-clock times (debugging) */
  recoveryLog: Array<{ step: string; at: number }> = [];

  constructor(private readonly client: SignalingClient) {}

  get peerId(): string | null {
    return this.ids?.peerId ?? null;
  }

  // ---- joining and leaving -------------------------------------------------------------------------------

  async join(options: JoinOptions): Promise<void> {
    const meeting = useMeetingStore.getState();
    meeting.setPhase("joining");
    meeting.setConnection("Connecting");
    this.local = { camera: options.camera, mic: options.mic, screen: null, micMuted: !!options.micMuted };
    this.watchDevice("camera", options.camera);
    this.watchDevice("mic", options.mic);
    this.code = options.code;
    this.recoveryLog = [{ step: "join", at: Date.now() }];
    let res: JoinResult | null = null;
    while (!res) {
      try {
        res = await withTimeout(
          this.client.room.join.mutate({ code: options.code }),
          JOIN_TIMEOUT_MS,
          "Could not reach the meeting server. Check your connection and try again.",
        );
      } catch (error) {
        // a meeting too big for a mesh while the media server is down: say so and keep trying
        if (errorCode(error) === "SERVICE_UNAVAILABLE" && !this.closed) {
          useMeetingStore.getState().setTopology({ mediaServer: false });
          useMeetingStore.getState().setPhase("joining", `${MEDIA_SERVER_UNAVAILABLE}. Retrying…`);
          await sleep(RETRY_JOIN_MS);
          continue;
        }
        useMeetingStore.getState().setPhase("lobby", errorText(error, "Could not join the meeting."));
        throw error;
      }
    }
    if (this.closed) {
      // left while the join was on its way
      void this.client.room.leave.mutate({ meetingId: res.meeting.id, peerId: res.self.peerId }).catch(() => undefined);
      return;
    }
    this.ids = { meetingId: res.meeting.id, peerId: res.self.peerId };
    this.iceServers = res.iceServers;
    useChatStore.getState().reset();
    const store = useMeetingStore.getState();
    store.setJoined(res.meeting, res.self, res.peers);
    // "Listen together" starts from where the shared media is now
    store.setPlayback(res.playback);
    store.setLocal({ camera: options.camera, mic: options.mic, screen: null, micMuted: this.local.micMuted });
    this.applyTopology(res);
    this.subscribe(res.lastEventId);
    this.watchSocket();
    this.startIceRefresh();
    const joined = res;
    await this.enqueue(() => this.startMedia(joined)).catch((error: unknown) => {
      useMeetingStore.getState().notify(`Could not connect audio and video: ${errorText(error)}`, "error");
    });
  }

  async leave(): Promise<void> {
    if (this.closed) return;
    const ids = this.ids;
    this.shutdown();
    if (ids) await withTimeout(this.client.room.leave.mutate(ids), 3000, "leave timed out").catch(() => undefined);
    useMeetingStore.getState().setPhase("left");
  }

  /** Leave without waiting (page unload). */
  leaveNow(): void {
    if (this.closed) return;
    const ids = this.ids;
    this.shutdown();
    if (ids) void this.client.room.leave.mutate(ids).catch(() => undefined);
  }

  private shutdown(): void {
    this.closed = true;
    this.events?.unsubscribe();
    this.events = null;
    this.unwatchSocket?.();
    this.unwatchSocket = null;
    if (this.iceTimer) clearInterval(this.iceTimer);
    this.iceTimer = null;
    this.closeMedia();
    this.closeMesh();
    for (const track of [this.local.camera, this.local.mic, this.local.screen]) track?.stop();
    this.local = { camera: null, mic: null, screen: null, micMuted: this.local.micMuted };
    useMeetingStore.getState().setLocal({ camera: null, mic: null, screen: null });
  }

  // ---- events --------------------------------------------------------------------------------------------

  private subscribe(lastEventId: string): void {
    const ids = this.ids!;
    // tracked(): on a socket reconnect the client resubscribes from the last event id it saw
    this.events = this.client.room.events.subscribe(
      { ...ids, lastEventId },
      {
        onData: ({ data }) => this.onEvent(data),
        onError: (error) => {
          if (this.closed) return;
          // The server forgets a participant whose socket closed: after a reconnect, join again.
          if (errorCode(error) === "FORBIDDEN") void this.enqueue(() => this.rejoin());
          else useMeetingStore.getState().notify(`Lost the meeting connection: ${errorText(error)}`, "error");
        },
      },
    );
  }

  /** Joins again as a new participant (after the socket was lost), keeping the local tracks and the chat. */
  private async rejoin(): Promise<void> {
    if (this.closed) return;
    this.recovering = true;
    this.events?.unsubscribe();
    this.events = null;
    this.closeMedia();
    this.closeMesh();
    this.updateConnection();
    try {
      let res: JoinResult | null = null;
      for (let attempt = 0; !res; attempt++) {
        if (this.closed) return;
        try {
          res = await withTimeout(this.client.room.join.mutate({ code: this.code }), JOIN_TIMEOUT_MS, "join timed out");
        } catch (error) {
          const code = errorCode(error);
          if (code === "NOT_FOUND" || code === "PRECONDITION_FAILED") {
            // ended or full meanwhile: the meeting is over for us
            this.shutdown();
            useMeetingStore.getState().setPhase("ended", errorText(error));
            return;
          }
          await sleep(Math.min(500 * 2 ** attempt, 5000));
        }
      }
      this.ids = { meetingId: res.meeting.id, peerId: res.self.peerId };
      this.iceServers = res.iceServers;
      useMeetingStore.getState().setJoined(res.meeting, res.self, res.peers);
      useMeetingStore.getState().setPlayback(res.playback);
      this.applyTopology(res);
      this.subscribe(res.lastEventId);
      await this.startMedia(res);
    } catch (error) {
      useMeetingStore.getState().notify(`Could not reconnect: ${errorText(error)}`, "error");
    } finally {
      this.recovering = false;
      this.updateConnection();
    }
  }

  private onEvent(event: RoomEvent): void {
    if (this.closed) return;
    applyRoomEvent(event);
    const self = this.ids?.peerId;
    switch (event.type) {
      case "peer.joined":
        // the mesh connects to whoever joins (the impolite side offers, see MeshEngine.connect)
        if (event.peer.peerId !== self && this.mesh && (this.mode === "P2P" || this.switchingTo === "P2P")) this.mesh.connect(event.peer.peerId);
        break;
      case "producer.new":
        if (event.peerId !== self) void this.enqueue(() => this.consume(event.peerId, event.producer));
        break;
      case "producer.closed":
      case "consumer.closed":
        void this.enqueue(async () => {
          for (const [id, entry] of this.consumers) {
            if (event.type === "consumer.closed" ? id === event.consumerId : entry.consumer.producerId === event.producerId) this.dropConsumer(id);
          }
        });
        break;
      case "producer.paused":
        // paused by the host on the SFU: stop sending locally too (and over the mesh during a switch)
        if (event.peerId === self && event.source === "mic" && event.byHost) void this.enqueue(() => this.applyMicMuted(true, false));
        break;
      case "peer.mic":
        // the host muted us: over the mesh nobody but us can stop the audio; "Unmute" resumes it
        if (event.peerId === self && event.byHost && event.muted) {
          useMeetingStore.getState().notify(HOST_MUTED_YOU);
          void this.enqueue(() => this.applyMicMuted(true, false));
        }
        break;
      case "playback":
        useMeetingStore.getState().setPlayback(event.playback);
        break;
      case "peer.left":
        this.mesh?.removePeer(event.peerId);
        void this.enqueue(async () => {
          for (const [id, entry] of this.consumers) if (entry.peerId === event.peerId) this.dropConsumer(id);
        });
        break;
      case "consumer.layers": {
        const entry = this.consumers.get(event.consumerId);
        if (entry) entry.consumer.appData.currentLayers = { spatial: event.spatialLayer, temporal: event.temporalLayer };
        break;
      }
      case "media.lost":
        // only the SFU path depends on the media server
        if (this.sendTransport || this.recvTransport || this.mode === "SFU") void this.enqueue(() => this.recoverMedia());
        break;
      case "p2p.signal":
        this.ensureMesh()?.handleSignal(event.fromPeerId, event.signal);
        break;
      case "mode.changed":
        useMeetingStore.getState().setTopology({ mode: event.mode, meshThreshold: event.meshThreshold });
        if (event.mode !== this.mode) {
          this.mode = event.mode;
          void this.enqueue(() => (event.mode === "SFU" ? this.switchToSfu() : this.switchToP2P()));
        }
        break;
      case "meeting.ended":
      case "removed":
        this.shutdown();
        break;
      default:
        break;
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.closed ? undefined : task()));
    this.queue = run.catch((error: unknown) => {
      console.warn("[media]", error);
    });
    return run;
  }

  // ---- topology: P2P mesh or SFU ---------------------------------------------------------------------------

  private applyTopology(res: JoinResult): void {
    this.mode = res.mode;
    this.routerCaps = res.routerRtpCapabilities;
    useMeetingStore.getState().setTopology({ mode: res.mode, meshThreshold: res.meshThreshold, mediaServer: !!res.routerRtpCapabilities, switching: false });
  }

  private async loadDevice(caps: NonNullable<JoinResult["routerRtpCapabilities"]>): Promise<void> {
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: caps });
    this.device = device;
  }

  /** Media after a join: the mesh in a P2P room (or without a media server), else the SFU transports. */
  private async startMedia(res: JoinResult): Promise<void> {
    if (res.routerRtpCapabilities) await this.loadDevice(res.routerRtpCapabilities);
    else this.device = null;
    if (this.mode === "P2P" || !res.routerRtpCapabilities) {
      this.startMesh(res.peers.map((p) => p.peerId));
      if (!res.routerRtpCapabilities) useMeetingStore.getState().notify(DIRECT_FALLBACK);
      return;
    }
    await this.buildMedia(res.peers);
  }

  private startMesh(peerIds: string[]): void {
    const mesh = this.ensureMesh();
    if (!mesh) return;
    for (const peerId of peerIds) mesh.connect(peerId);
    this.ready = true;
    this.updateConnection();
  }

  private ensureMesh(): MeshEngine | null {
    if (this.closed || !this.ids) return null;
    if (this.mesh) return this.mesh;
    const ids = this.ids;
    const host: MeshHost = {
      selfPeerId: ids.peerId,
      send: async (targetPeerId: string, signal: P2PSignal) => {
        await this.client.room.signal.mutate({ ...ids, targetPeerId, signal });
      },
      iceServers: () => this.iceServers,
      localTrack: (source) => (source === "mic" ? (this.local.micMuted ? null : this.local.mic) : this.local[source]),
      onHealthChange: () => this.updateConnection(),
    };
    this.mesh = new MeshEngine(host);
    return this.mesh;
  }

  private closeMesh(): void {
    const mesh = this.mesh;
    this.mesh = null;
    mesh?.close();
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
    while (!this.closed && Date.now() < deadline) {
      if (check()) return true;
      await sleep(100);
    }
    return check();
  }

  /** P2P -> SFU: publish to and consume from the SFU, then close the mesh once the SFU's media flows. */
  private async switchToSfu(): Promise<void> {
    const entry = { to: "SFU", startedAt: Date.now(), doneAt: null as number | null };
    this.switchLog.push(entry);
    this.switchingTo = "SFU";
    useMeetingStore.getState().setTopology({ switching: true });
    try {
      const res = await withTimeout(this.client.room.reconnectMedia.mutate(this.ids!), CALL_TIMEOUT_MS, "reconnectMedia timed out");
      if (!res.routerRtpCapabilities) throw new Error(MEDIA_SERVER_UNAVAILABLE);
      if (!this.device) await this.loadDevice(res.routerRtpCapabilities);
      useMeetingStore.getState().setTopology({ mediaServer: true });
      if (this.mode !== "SFU") return;
      if (!this.sendTransport) await this.buildMedia(res.peers);
    } catch (error) {
      console.warn("[media] switch to SFU failed", error);
      this.switchingTo = null;
      useMeetingStore.getState().setTopology({ switching: false, mediaServer: false });
      useMeetingStore.getState().notify(this.mesh ? DIRECT_FALLBACK : MEDIA_SERVER_UNAVAILABLE, "error");
      // keep trying while the room wants the SFU (the mesh carries the media meanwhile)
      setTimeout(() => {
        if (!this.closed && this.mode === "SFU" && !this.sendTransport && this.switchingTo === null) {
          this.switchingTo = "SFU";
          void this.enqueue(() => this.switchToSfu());
        }
      }, RETRY_JOIN_MS);
      return;
    }
    // outside the queue: consuming new producers goes on while we wait
    void (async () => {
      await sleep(300);
      await this.waitUntil(() => this.mode !== "SFU" || this.covered("p2p", "sfu"), SWITCH_TIMEOUT_MS);
      await this.enqueue(async () => {
        if (this.mode !== "SFU") return;
        this.closeMesh();
        this.switchingTo = null;
        entry.doneAt = Date.now();
        useMeetingStore.getState().setTopology({ switching: false });
        this.updateConnection();
      });
    })();
  }

  /** SFU -> P2P: build the mesh, then close the SFU producers, consumers and transports once it flows. */
  private async switchToP2P(): Promise<void> {
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
      await this.enqueue(async () => {
        if (this.mode !== "P2P") return;
        const producers = [...this.producers.keys()];
        // the others drop their consumers of ours at once (producer.closed), then the server frees the rest
        await Promise.all(producers.map((source) => this.closeProducer(source)));
        await withTimeout(this.client.media.closeTransports.mutate(this.ids!), CALL_TIMEOUT_MS, "closeTransports timed out").catch((error: unknown) => {
          console.warn("[media] closing the SFU transports failed", error);
        });
        this.closeMedia();
        this.ready = true;
        this.switchingTo = null;
        entry.doneAt = Date.now();
        useMeetingStore.getState().setTopology({ switching: false });
        this.updateConnection();
      });
    })();
  }

  /** The host sets how many participants the meeting keeps as a P2P mesh (0: always the SFU). */
  async setMeshThreshold(meshThreshold: number): Promise<void> {
    await this.client.room.setMeshThreshold.mutate({ ...this.ids!, meshThreshold });
  }

  /** What the engine runs on (tests and debugging). */
  debugTopology(): { mode: "P2P" | "SFU"; switching: boolean; mesh: ReturnType<MeshEngine["describe"]> | null; sfu: boolean; switches: SfuEngine["switchLog"] } {
    return { mode: this.mode, switching: this.switchingTo !== null, mesh: this.mesh?.describe() ?? null, sfu: !!(this.sendTransport || this.recvTransport), switches: this.switchLog };
  }

  /** Test hook: every mesh connection sends an offer at once. */
  forceMeshOffer(): Promise<unknown> {
    return this.mesh?.forceOffer() ?? Promise.resolve();
  }

  // ---- ICE servers ---------------------------------------------------------------------------------------

  private startIceRefresh(): void {
    if (this.iceTimer) clearInterval(this.iceTimer);
    this.iceTimer = setInterval(() => void this.refreshIceServers(), ICE_REFRESH_MS);
  }

  /** Fetches fresh ICE servers (TURN credentials expire) with room.iceServers and applies them to every connection. */
  async refreshIceServers(): Promise<void> {
    try {
      const { iceServers, expiresInS } = await withTimeout(this.client.room.iceServers.query(this.ids!), CALL_TIMEOUT_MS, "iceServers timed out");
      this.iceServers = iceServers;
      // credentials shorter-lived than the default period: refresh at 3/4 of their life
      const period = Math.min(ICE_REFRESH_MS, Math.max(60_000, expiresInS * 750));
      if (period < ICE_REFRESH_MS && this.iceTimer) {
        clearInterval(this.iceTimer);
        this.iceTimer = setInterval(() => void this.refreshIceServers(), period);
      }
    } catch (error) {
      console.warn("[media] ICE server refresh failed", error);
      return;
    }
    this.mesh?.setIceServers(this.iceServers);
    for (const transport of [this.sendTransport, this.recvTransport]) {
      if (transport && !transport.closed) await transport.updateIceServers({ iceServers: this.iceServers }).catch(() => undefined);
    }
  }

  // ---- connection state ----------------------------------------------------------------------------------

  private watchSocket(): void {
    this.unwatchSocket = useRealtimeStatus.subscribe(() => this.updateConnection());
  }

  private updateConnection(): void {
    if (this.closed) return;
    const socketUp = useRealtimeStatus.getState().status === "open";
    const meshTroubled = this.mesh?.troubled() ?? false;
    const state = this.recovering || this.troubled.size > 0 || meshTroubled || (this.ready && !socketUp) ? "Reconnecting" : this.ready ? "Connected" : "Connecting";
    useMeetingStore.getState().setConnection(state);
  }

  // ---- transports ----------------------------------------------------------------------------------------

  /** Creates both transports, publishes the local tracks and consumes everything the peers publish. */
  private async buildMedia(peers: PeerInfo[]): Promise<void> {
    const epoch = ++this.epoch;
    // while the mesh carries the media (a switch to the SFU) the room stays "Connected"
    if (!this.mesh) {
      this.ready = false;
      this.updateConnection();
    }
    [this.sendTransport, this.recvTransport] = await Promise.all([this.createTransport("send"), this.createTransport("recv")]);
    this.mark("transports");
    if (epoch !== this.epoch) return;
    if (this.local.mic) await this.produce("mic", this.local.mic);
    if (this.local.camera) await this.produce("camera", this.local.camera);
    if (this.local.screen) await this.produce("screen", this.local.screen);
    this.mark("produced");
    // all at once: mediasoup-client negotiates them in one go
    await Promise.all(peers.filter((peer) => peer.peerId !== this.ids?.peerId).flatMap((peer) => peer.producers.map((producer) => this.consume(peer.peerId, producer))));
    if (epoch !== this.epoch) return;
    this.ready = true;
    this.updateConnection();
  }

  private async createTransport(direction: "send" | "recv"): Promise<Transport> {
    const ids = this.ids!;
    const info = await withTimeout(this.client.media.createTransport.mutate({ ...ids, direction }), CALL_TIMEOUT_MS, "createTransport timed out");
    const options = { ...info, iceServers: this.iceServers };
    const transport = direction === "send" ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options);
    transport.on("connect", ({ dtlsParameters }, callback, errback) => {
      this.client.media.connectTransport
        .mutate({ ...ids, transportId: transport.id, dtlsParameters })
        .then(() => callback(), (error: unknown) => errback(error instanceof Error ? error : new Error(String(error))));
    });
    if (direction === "send") {
      transport.on("produce", ({ kind, rtpParameters, appData }, callback, errback) => {
        this.client.media.produce
          .mutate({ ...ids, transportId: transport.id, kind, rtpParameters, source: appData.source as MediaSource })
          .then(({ producerId }) => callback({ id: producerId }), (error: unknown) => errback(error instanceof Error ? error : new Error(String(error))));
      });
    }
    transport.on("connectionstatechange", (state) => this.onTransportState(transport, state));
    return transport;
  }

  private onTransportState(transport: Transport, state: RTCPeerConnectionState): void {
    if (transport.closed || this.closed) return;
    this.mark(`${transport.direction} ${state}`);
    if (state === "disconnected" || state === "failed") {
      this.troubled.add(transport.id);
      void this.restartIce(transport);
    } else if (state === "connected" || state === "closed") {
      this.troubled.delete(transport.id);
    }
    this.updateConnection();
  }

  private async restartIce(transport: Transport): Promise<void> {
    if (this.iceRestarting.has(transport.id)) return;
    this.iceRestarting.add(transport.id);
    try {
      for (let attempt = 0; attempt < 5 && !transport.closed && this.troubled.has(transport.id); attempt++) {
        try {
          const { iceParameters } = await withTimeout(this.client.media.restartIce.mutate({ ...this.ids!, transportId: transport.id }), CALL_TIMEOUT_MS, "restartIce timed out");
          if (transport.closed) return;
          await transport.restartIce({ iceParameters });
          // give ICE time to reconnect before trying again
          await sleep(3000);
        } catch {
          // the transport may be gone (media.lost rebuilds everything): back off
          await sleep(1000 * (attempt + 1));
        }
      }
    } finally {
      this.iceRestarting.delete(transport.id);
    }
    // ICE restarts did not bring it back: rebuild all SFU media (no page reload)
    if (!transport.closed && !this.closed && transport.connectionState === "failed") void this.enqueue(() => this.recoverMedia());
  }

  /** Closes the transports (and with them every producer and consumer); local tracks stay alive. */
  private closeMedia(): void {
    this.ready = false;
    this.epoch++;
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.producers.clear();
    this.consumers.clear();
    this.consumed.clear();
    this.troubled.clear();
    // the SFU's tracks only: direct (P2P) ones stay on screen
    const store = useMeetingStore.getState();
    for (const t of Object.values(store.tracks)) if ((t.via ?? "sfu") === "sfu") store.removeTrack(t.consumerId);
  }

  /** The media worker hosting the room died: rebuild transports, producers and consumers on a new one. */
  private mark(step: string): void {
    const start = this.recoveryLog[0]?.at;
    if (start !== undefined && Date.now() - start < 15_000) this.recoveryLog.push({ step, at: Date.now() });
  }

  private async traceFirstFrame(entry: ConsumerEntry): Promise<void> {
    const start = this.recoveryLog[0]?.at;
    if (start === undefined || Date.now() - start > 15_000) return;
    let sawPacket = false;
    for (let i = 0; i < 100 && !entry.consumer.closed; i++) {
      const report = await entry.consumer.getStats().catch(() => null);
      let packets = 0;
      let frames = 0;
      let pli = 0;
      let fir = 0;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== "inbound-rtp") return;
        packets = Number(s.packetsReceived ?? 0);
        frames = Number(s.framesDecoded ?? 0);
        pli = Number(s.pliCount ?? 0);
        fir = Number(s.firCount ?? 0);
      });
      if (packets > 0 && !sawPacket) {
        sawPacket = true;
        this.mark(`first packet ${entry.source} of ${entry.peerId.slice(0, 8)} pli=${pli} fir=${fir}`);
      }
      if (frames > 0) {
        this.mark(`first frame ${entry.source} of ${entry.peerId.slice(0, 8)} packets=${packets} pli=${pli}`);
        return;
      }
      await sleep(50);
    }
  }

  private async recoverMedia(): Promise<void> {
    this.recoveryLog = [{ step: "media.lost", at: Date.now() }];
    this.recovering = true;
    this.closeMedia();
    this.updateConnection();
    try {
      // a call lost on the way (the socket moving off a draining node) starts the rebuild over
      for (let attempt = 0; ; attempt++) {
        if (this.closed) return;
        try {
          // the router keeps the same codecs: the device stays loaded as it is
          const { peers } = await withTimeout(this.client.room.reconnectMedia.mutate(this.ids!), CALL_TIMEOUT_MS, "reconnectMedia timed out");
          this.mark("reconnectMedia");
          useMeetingStore.getState().setPeers(peers);
          await this.buildMedia(peers);
          this.mark("rebuilt");
          break;
        } catch (error) {
          if (attempt >= 8 || this.closed) throw error;
          this.mark(`rebuild failed: ${errorText(error)}`);
          console.warn("[media] media rebuild failed, starting over", error);
          this.closeMedia();
          // what the failed attempt created on the server goes too (the others would consume dead producers)
          await withTimeout(this.client.media.closeTransports.mutate(this.ids!), CALL_TIMEOUT_MS, "closeTransports timed out").catch(() => undefined);
          await sleep(Math.min(250 * 2 ** attempt, 3000));
        }
      }
    } catch (error) {
      useMeetingStore.getState().notify(`Could not reconnect audio and video: ${errorText(error)}`, "error");
    } finally {
      this.recovering = false;
      this.updateConnection();
    }
  }

  // ---- producing -----------------------------------------------------------------------------------------

  private vp8(): RtpCodecCapability | undefined {
    return this.device?.sendRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === "video/vp8");
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const transport = this.sendTransport;
    if (!transport || track.readyState === "ended") return;
    const options: ProducerOptions = { track, stopTracks: false, appData: { source } };
    if (source === "camera") {
      options.encodings = cameraEncodings(track);
      options.codecOptions = { videoGoogleStartBitrate: 1000 };
      options.codec = this.vp8();
    } else if (source === "screen") {
      options.encodings = SCREEN_ENCODINGS.map((e) => ({ ...e }));
      options.codec = this.vp8();
    } else {
      options.codecOptions = { opusStereo: false, opusDtx: true, opusFec: true };
    }
    const producer = await transport.produce(options);
    if (transport.closed || transport !== this.sendTransport) {
      producer.close();
      return;
    }
    this.producers.set(source, producer);
    producer.on("trackended", () => {
      if (source === "screen") void this.stopScreenShare();
      else if (source === "camera") void this.stopCamera();
    });
    if (source === "mic" && this.local.micMuted) {
      producer.pause();
      await this.client.media.pauseProducer.mutate({ ...this.ids!, producerId: producer.id });
    }
  }

  private async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.client.media.closeProducer.mutate({ ...this.ids!, producerId: producer.id }).catch(() => undefined);
  }

  setMicMuted(muted: boolean): Promise<void> {
    return this.enqueue(() => this.applyMicMuted(muted, true));
  }

  /**
   * Mutes or unmutes the microphone on every path (SFU producer and mesh senders); `tellServer` is false when
   * the server already paused the producer (the host muted us).
   */
  private async applyMicMuted(muted: boolean, tellServer: boolean): Promise<void> {
    if (!muted && !this.local.mic) {
      // no microphone yet (none at join, or it was unplugged): open one now
      const track = await openMicrophone();
      this.local.mic = track;
      this.watchDevice("mic", track);
      useMeetingStore.getState().setLocal({ mic: track });
      this.local.micMuted = false;
      useMeetingStore.getState().setLocal({ micMuted: false });
      void this.client.room.setMicMuted.mutate({ ...this.ids!, muted: false }).catch(() => undefined);
      this.mesh?.setTrack("mic", track);
      await this.produce("mic", track);
      return;
    }
    this.local.micMuted = muted;
    useMeetingStore.getState().setLocal({ micMuted: muted });
    this.mesh?.mute("mic", muted ? null : this.local.mic);
    // everyone's participant list shows it (over the mesh nothing else tells them)
    if (tellServer) void this.client.room.setMicMuted.mutate({ ...this.ids!, muted }).catch(() => undefined);
    const producer = this.producers.get("mic");
    if (!producer) return;
    if (muted) {
      producer.pause();
      if (tellServer) await this.client.media.pauseProducer.mutate({ ...this.ids!, producerId: producer.id });
    } else {
      producer.resume();
      await this.client.media.resumeProducer.mutate({ ...this.ids!, producerId: producer.id });
    }
  }

  /**
   * A camera or microphone unplugged (or taken by another program) mid-call ends its track: stop sending it,
   * show "Start camera" / "Unmute" (which open the device again) and say so.
   */
  private watchDevice(source: "camera" | "mic", track: MediaStreamTrack | null): void {
    track?.addEventListener(
      "ended",
      () => {
        if (this.closed || this.local[source] !== track) return;
        const device = source === "mic" ? "microphone" : "camera";
        console.warn(`[media] the ${device} track ended`, track.label);
        useMeetingStore.getState().notify(`Your ${device} stopped (disconnected or in use by another program). Connect it, then click ${source === "mic" ? "Unmute" : "Start camera"}.`, "error");
        if (source === "camera") {
          void this.stopCamera();
          return;
        }
        void this.enqueue(async () => {
          if (this.local.mic !== track) return;
          this.local.mic = null;
          useMeetingStore.getState().setLocal({ mic: null });
          this.mesh?.setTrack("mic", null);
          await this.closeProducer("mic");
        });
      },
      { once: true },
    );
  }

  startCamera(track: MediaStreamTrack): Promise<void> {
    return this.enqueue(async () => {
      await this.closeProducer("camera");
      if (this.local.camera && this.local.camera !== track) this.local.camera.stop();
      this.local.camera = track;
      this.watchDevice("camera", track);
      useMeetingStore.getState().setLocal({ camera: track });
      this.mesh?.setTrack("camera", track);
      await this.produce("camera", track);
    });
  }

  stopCamera(): Promise<void> {
    return this.enqueue(async () => {
      this.local.camera?.stop();
      this.local.camera = null;
      useMeetingStore.getState().setLocal({ camera: null });
      this.mesh?.setTrack("camera", null);
      await this.closeProducer("camera");
    });
  }

  startScreenShare(track: MediaStreamTrack): Promise<void> {
    return this.enqueue(async () => {
      await this.closeProducer("screen");
      if (this.local.screen && this.local.screen !== track) this.local.screen.stop();
      this.local.screen = track;
      useMeetingStore.getState().setLocal({ screen: track });
      track.addEventListener("ended", () => {
        if (this.local.screen === track) void this.stopScreenShare();
      });
      this.mesh?.setTrack("screen", track);
      await this.produce("screen", track);
    });
  }

  stopScreenShare(): Promise<void> {
    return this.enqueue(async () => {
      this.local.screen?.stop();
      this.local.screen = null;
      useMeetingStore.getState().setLocal({ screen: null });
      this.mesh?.setTrack("screen", null);
      await this.closeProducer("screen");
    });
  }

  // ---- consuming -----------------------------------------------------------------------------------------

  private async consume(peerId: string, producer: ProducerInfo, attempt = 0): Promise<void> {
    const transport = this.recvTransport;
    const device = this.device;
    if (!transport || !device || peerId === this.ids?.peerId || this.consumed.has(producer.producerId)) return;
    const epoch = this.epoch;
    this.consumed.add(producer.producerId);
    try {
      const res = await withTimeout(
        this.client.media.consume.mutate({ ...this.ids!, transportId: transport.id, producerId: producer.producerId, rtpCapabilities: device.recvRtpCapabilities }),
        CALL_TIMEOUT_MS,
        "consume timed out",
      );
      if (epoch !== this.epoch || transport.closed) return;
      const consumer = await transport.consume({
        id: res.consumerId,
        producerId: res.producerId,
        kind: res.kind,
        rtpParameters: res.rtpParameters,
        streamId: `${res.producerPeerId}-${res.source}`,
        appData: { peerId: res.producerPeerId, source: res.source },
      });
      if (epoch !== this.epoch || transport.closed) {
        consumer.close();
        return;
      }
      const mode = parseScalabilityMode(res.rtpParameters.encodings?.[0]?.scalabilityMode);
      const entry: ConsumerEntry = {
        consumer,
        peerId: res.producerPeerId,
        source: res.source,
        kind: res.kind,
        serverPaused: true,
        layers: null,
        spatialLayers: mode.spatialLayers,
        syncing: false,
        resync: false,
        failures: 0,
      };
      this.consumers.set(consumer.id, entry);
      this.mark(`consumed ${res.source} of ${res.producerPeerId.slice(0, 8)}`);
      consumer.on("transportclose", () => this.dropConsumer(consumer.id));
      useMeetingStore.getState().addTrack({
        consumerId: consumer.id,
        producerId: res.producerId,
        peerId: res.producerPeerId,
        source: res.source,
        kind: res.kind,
        track: consumer.track,
        via: "sfu",
      });
      await this.syncConsumer(entry);
      void this.watchFlowing(entry);
    } catch (error) {
      this.consumed.delete(producer.producerId);
      console.warn("[media] consume failed", producer.producerId, error);
      // The call may have been lost with its socket (a draining node closes it): try again while the producer
      // is still announced. One that closed meanwhile has nothing to show.
      if (attempt < CONSUME_RETRIES) {
        setTimeout(() => {
          const announced = useMeetingStore.getState().participants[peerId]?.producers.some((p) => p.producerId === producer.producerId);
          if (announced && epoch === this.epoch && !this.closed) void this.enqueue(() => this.consume(peerId, producer, attempt + 1));
        }, 500 * 2 ** attempt);
      }
    }
  }

  /** Marks a consumer's track flowing once a frame is decoded (video) or packets arrive (audio). */
  private async watchFlowing(entry: ConsumerEntry): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!entry.consumer.closed && !this.closed && Date.now() < deadline) {
      const report = await entry.consumer.getStats().catch(() => null);
      let ok = false;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp" && Number(entry.kind === "video" ? s.framesDecoded : s.packetsReceived) > 0) ok = true;
      });
      if (ok) {
        useMeetingStore.getState().setTrackFlowing(entry.consumer.id);
        return;
      }
      await sleep(100);
    }
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.consumed.delete(entry.consumer.producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    useMeetingStore.getState().removeTrack(consumerId);
  }

  /** Brings the server-side consumer in line with what the page shows: paused when off screen, layers by size. */
  private async syncConsumer(entry: ConsumerEntry): Promise<void> {
    if (entry.syncing) {
      entry.resync = true;
      return;
    }
    entry.syncing = true;
    try {
      do {
        entry.resync = false;
        if (entry.consumer.closed || this.closed) return;
        const wanted = this.wanted.get(key(entry.peerId, entry.source));
        const show = entry.kind === "audio" || !!wanted?.visible;
        const base = { ...this.ids!, consumerId: entry.consumer.id };
        if (show && entry.kind === "video" && entry.spatialLayers > 1) {
          const layers = layerForHeight(wanted?.height ?? 0, entry.spatialLayers);
          if (!entry.layers || entry.layers.spatial !== layers.spatial || entry.layers.temporal !== layers.temporal) {
            await this.client.media.setPreferredLayers.mutate({ ...base, spatialLayer: layers.spatial, temporalLayer: layers.temporal });
            entry.layers = layers;
          }
        }
        if (show && entry.serverPaused) {
          await this.client.media.resumeConsumer.mutate(base);
          entry.serverPaused = false;
          this.mark(`resumed ${entry.source} of ${entry.peerId.slice(0, 8)}`);
          if (entry.kind === "video" && debugMedia()) void this.traceFirstFrame(entry);
        } else if (!show && !entry.serverPaused) {
          await this.client.media.pauseConsumer.mutate(base);
          entry.serverPaused = true;
        }
      } while (entry.resync);
      entry.failures = 0;
    } catch (error) {
      console.warn("[media] consumer update failed", error);
      if (++entry.failures <= CONSUME_RETRIES) setTimeout(() => void this.syncConsumer(entry), 500 * 2 ** entry.failures);
    } finally {
      entry.syncing = false;
    }
  }

  private syncVideo(peerId: string, source: VideoSource): void {
    for (const entry of this.consumers.values()) {
      if (entry.peerId === peerId && entry.source === source) void this.syncConsumer(entry);
    }
  }

  setVideoVisible(peerId: string, source: VideoSource, visible: boolean): void {
    const k = key(peerId, source);
    const current = this.wanted.get(k) ?? { visible: false, width: 0, height: 0 };
    if (current.visible === visible) return;
    this.wanted.set(k, { ...current, visible });
    this.syncVideo(peerId, source);
  }

  setVideoSize(peerId: string, source: VideoSource, width: number, height: number): void {
    const k = key(peerId, source);
    const current = this.wanted.get(k) ?? { visible: false, width: 0, height: 0 };
    this.wanted.set(k, { ...current, width, height });
    this.syncVideo(peerId, source);
  }

  // ---- room actions --------------------------------------------------------------------------------------

  async muteParticipant(peerId: string): Promise<void> {
    await this.client.room.muteParticipant.mutate({ ...this.ids!, targetPeerId: peerId });
  }

  async removeParticipant(peerId: string): Promise<void> {
    await this.client.room.removeParticipant.mutate({ ...this.ids!, targetPeerId: peerId });
  }

  async endMeeting(): Promise<void> {
    await this.client.room.end.mutate(this.ids!);
  }

  // ---- stats ---------------------------------------------------------------------------------------------

  /** What we send, per source and simulcast layer (debugging: which layers the browser really encodes). */
  async localStats(): Promise<Record<string, Array<Record<string, unknown>>>> {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (const [source, producer] of this.producers) {
      if (producer.closed) continue;
      const report = await producer.getStats().catch(() => null);
      if (!report) continue;
      const rows: Array<Record<string, unknown>> = [];
      report.forEach((s: Record<string, unknown>) => {
        if (s.type !== "outbound-rtp") return;
        rows.push({
          rid: s.rid,
          active: s.active,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          framesEncoded: s.framesEncoded,
          packetsSent: s.packetsSent,
          qualityLimitationReason: s.qualityLimitationReason,
          scalabilityMode: s.scalabilityMode,
        });
      });
      out[source] = rows;
    }
    return out;
  }

  /** Inbound stats per remote peer: the path the tile shows (the SFU's, or the mesh's while P2P). */
  async stats(): Promise<Record<string, PeerStats>> {
    const out = await this.sfuStats();
    if (this.mesh) {
      const mesh = await this.mesh.stats();
      for (const [peerId, stats] of Object.entries(mesh)) {
        if (this.mode === "P2P" || !out[peerId]) out[peerId] = { ...out[peerId], ...stats };
      }
    }
    return out;
  }

  private async sfuStats(): Promise<Record<string, PeerStats>> {
    const out: Record<string, PeerStats> = {};
    for (const entry of this.consumers.values()) {
      if (entry.consumer.closed) continue;
      const report = await entry.consumer.getStats().catch(() => null);
      // a consumer that never received anything (paused from the start) has no inbound-rtp entry yet
      let inbound: Record<string, unknown> = {};
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp") inbound = s;
      });
      const n = (k: string) => (typeof inbound[k] === "number" ? (inbound[k] as number) : 0);
      const peer = (out[entry.peerId] ??= {});
      if (entry.kind === "audio") {
        peer.audio = { packetsReceived: n("packetsReceived"), packetsLost: n("packetsLost"), bytesReceived: n("bytesReceived") };
        continue;
      }
      const video: VideoStats = {
        framesDecoded: n("framesDecoded"),
        frameWidth: n("frameWidth"),
        frameHeight: n("frameHeight"),
        packetsReceived: n("packetsReceived"),
        packetsLost: n("packetsLost"),
        paused: entry.serverPaused,
        spatialLayers: entry.spatialLayers,
        preferredLayers: entry.layers,
        currentLayers: (entry.consumer.appData.currentLayers as VideoStats["currentLayers"]) ?? null,
      };
      if (entry.source === "screen") peer.screen = video;
      else peer.camera = video;
    }
    return out;
  }

}

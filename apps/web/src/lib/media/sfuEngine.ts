// The meeting's media engine: joins the room over the realtime socket, follows its events and runs the media on
// the path the server decides (topologySwitch.ts: a P2P mesh, or the SFU through sfuMedia.ts with simulcast
// publishing and on-screen-only consuming), rejoins after a lost socket and rebuilds the SFU media without a
// reload when the media worker is lost. The parts share one MediaSession (state and work queue).
import type { MeetingEvent } from "@qualmeet/api";
import { useRealtimeStatus } from "@/lib/realtime";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import type { JoinOptions, MediaEngine, PeerStats, VideoSource } from "./engine";
import { errorMessage } from "@qualmeet/client";
import { IceRefresh } from "./iceRefresh";
import { LocalMediaControl } from "./localMedia";
import { CALL_TIMEOUT_MS, errorCode, sleep, withTimeout } from "./mediaCalls";
import { MediaSession } from "./mediaSession";
import { applyMeetingEvent, HOST_MUTED_YOU } from "./meetingState";
import { warmDevice } from "./sfuDevice";
import { SfuMedia } from "./sfuMedia";
import type { JoinResult, SignalingClient, Subscription } from "./signaling";
import { MEDIA_SERVER_UNAVAILABLE, MEDIA_SERVER_RETRY_MS, TopologySwitch, type TopologyDescription } from "./topologySwitch";

const JOIN_TIMEOUT_MS = 20_000;

export class SfuEngine implements MediaEngine {
  private readonly session: MediaSession;
  private readonly sfu: SfuMedia;
  private readonly topologySwitch: TopologySwitch;
  private readonly localMedia: LocalMediaControl;
  private events: Subscription | null = null;
  private unwatchSocket: (() => void) | null = null;
  private readonly iceRefresh: IceRefresh;

  constructor(
    private readonly client: SignalingClient,
    iceTransportPolicy: RTCIceTransportPolicy = "all",
  ) {
    this.session = new MediaSession(client, () => this.updateConnection(), iceTransportPolicy);
    this.sfu = new SfuMedia(
      this.session,
      () => !!this.topologySwitch.mesh,
      (source) => this.localMedia.onTrackEnded(source),
    );
    this.topologySwitch = new TopologySwitch(this.session, this.sfu);
    this.iceRefresh = new IceRefresh({
      fetch: () => withTimeout(this.client.room.iceServers.query(this.session.peer), CALL_TIMEOUT_MS, "iceServers timed out"),
      apply: (iceServers) => this.applyIceServers(iceServers),
      notify: (text) => useMeetingStore.getState().notify(text),
    });
    this.session.freshIceServers = () => this.iceRefresh.ensureFresh();
    this.localMedia = new LocalMediaControl(this.session, this.sfu.publisher, () => this.topologySwitch.mesh);
  }

  get topology(): "sfu" | "p2p" {
    return this.topologySwitch.mode === "P2P" ? "p2p" : "sfu";
  }

  get peerId(): string | null {
    return this.session.ids?.peerId ?? null;
  }

  /** steps of the last join or media rebuild with their wall-clock times (tests print them) */
  get recoveryLog(): Array<{ step: string; at: number }> {
    return this.session.trace.log;
  }

  // ---- joining and leaving -------------------------------------------------------------------------------

  async join(options: JoinOptions): Promise<void> {
    const { session } = this;
    const meeting = useMeetingStore.getState();
    meeting.setPhase("joining");
    meeting.setConnection("Connecting");
    this.localMedia.useJoinTracks(options.camera, options.mic, !!options.micMuted);
    session.code = options.code;
    session.trace.start("join");
    // the browser's capabilities are probed while the join is on its way (usually done in the lobby already)
    void warmDevice();
    let res: JoinResult | null = null;
    while (!res) {
      try {
        res = await withTimeout(this.client.room.join.mutate({ code: options.code }), JOIN_TIMEOUT_MS, "Could not reach the meeting server. Check your connection and try again.");
      } catch (error) {
        // a meeting too big for a mesh while the media server is down: say so and keep trying
        if (errorCode(error) === "SERVICE_UNAVAILABLE" && !session.closed) {
          useMeetingStore.getState().setTopology({ mediaServer: false });
          useMeetingStore.getState().setPhase("joining", `${MEDIA_SERVER_UNAVAILABLE}. Retrying…`);
          await sleep(MEDIA_SERVER_RETRY_MS);
          continue;
        }
        useMeetingStore.getState().setPhase("lobby", errorMessage(error, "Could not join the meeting."));
        throw error;
      }
    }
    if (session.closed) {
      // left while the join was on its way
      void this.client.room.leave.mutate({ meetingId: res.meeting.id, peerId: res.self.peerId }).catch(() => undefined);
      return;
    }
    session.trace.mark(`joined (${res.mode})`);
    session.ids = { meetingId: res.meeting.id, peerId: res.self.peerId };
    session.iceServers = res.iceServers;
    useChatStore.getState().reset();
    const store = useMeetingStore.getState();
    store.setJoined(res.meeting, res.self, res.peers);
    // "Listen together" starts from where the shared media is now
    store.setPlayback(res.playback);
    store.setPlaybackAllowed(res.playbackAllowed);
    store.setLocal({ camera: options.camera, mic: options.mic, screen: null, micMuted: session.local.micMuted });
    this.topologySwitch.apply(res);
    this.subscribe(res.lastEventId);
    this.unwatchSocket = useRealtimeStatus.subscribe(() => this.updateConnection());
    this.iceRefresh.start(res);
    const joined = res;
    await session
      .enqueue(() => this.topologySwitch.startMedia(joined))
      .catch((error: unknown) => {
        useMeetingStore.getState().notify(`Could not connect audio and video: ${errorMessage(error)}`, "error");
      });
  }

  async leave(): Promise<void> {
    if (this.session.closed) return;
    const ids = this.session.ids;
    this.shutdown();
    if (ids) await withTimeout(this.client.room.leave.mutate(ids), 3000, "leave timed out").catch(() => undefined);
    useMeetingStore.getState().setPhase("left");
  }

  /** Leave without waiting (page unload). */
  leaveNow(): void {
    if (this.session.closed) return;
    const ids = this.session.ids;
    this.shutdown();
    if (ids) void this.client.room.leave.mutate(ids).catch(() => undefined);
  }

  private shutdown(): void {
    this.session.closed = true;
    this.events?.unsubscribe();
    this.events = null;
    this.unwatchSocket?.();
    this.unwatchSocket = null;
    this.iceRefresh.close();
    this.sfu.close();
    this.topologySwitch.closeMesh();
    this.localMedia.stopAll();
  }

  // ---- events --------------------------------------------------------------------------------------------

  private subscribe(lastEventId: string): void {
    const ids = this.session.peer;
    // tracked(): on a socket reconnect the client resubscribes from the last event id it saw
    this.events = this.client.room.events.subscribe(
      { ...ids, lastEventId },
      {
        onData: ({ data }) => this.onEvent(data),
        onError: (error) => {
          if (this.session.closed) return;
          // The server forgets a participant whose socket closed: after a reconnect, join again.
          if (errorCode(error) === "FORBIDDEN") void this.session.enqueue(() => this.rejoin());
          else useMeetingStore.getState().notify(`Lost the meeting connection: ${errorMessage(error)}`, "error");
        },
      },
    );
  }

  /** Joins again as a new participant (after the socket was lost), keeping the local tracks and the chat. */
  private async rejoin(): Promise<void> {
    const { session } = this;
    if (session.closed) return;
    session.recovering = true;
    this.events?.unsubscribe();
    this.events = null;
    this.sfu.close();
    this.topologySwitch.closeMesh();
    this.updateConnection();
    try {
      let res: JoinResult | null = null;
      for (let attempt = 0; !res; attempt++) {
        if (session.closed) return;
        try {
          res = await withTimeout(this.client.room.join.mutate({ code: session.code }), JOIN_TIMEOUT_MS, "join timed out");
        } catch (error) {
          const code = errorCode(error);
          if (code === "NOT_FOUND" || code === "PRECONDITION_FAILED" || code === "FORBIDDEN") {
            // ended, full or removed meanwhile (a reconnect is never held by the lock or the lobby): the meeting is over for us
            this.shutdown();
            useMeetingStore.getState().setPhase("ended", errorMessage(error));
            return;
          }
          await sleep(Math.min(500 * 2 ** attempt, 5000));
        }
      }
      session.ids = { meetingId: res.meeting.id, peerId: res.self.peerId };
      session.iceServers = res.iceServers;
      this.iceRefresh.start(res);
      useMeetingStore.getState().setJoined(res.meeting, res.self, res.peers);
      useMeetingStore.getState().setPlayback(res.playback);
      useMeetingStore.getState().setPlaybackAllowed(res.playbackAllowed);
      this.topologySwitch.apply(res);
      this.subscribe(res.lastEventId);
      await this.topologySwitch.startMedia(res);
    } catch (error) {
      useMeetingStore.getState().notify(`Could not reconnect: ${errorMessage(error)}`, "error");
    } finally {
      session.recovering = false;
      this.updateConnection();
    }
  }

  private onEvent(event: MeetingEvent): void {
    const { session, sfu, topologySwitch } = this;
    if (session.closed) return;
    applyMeetingEvent(event);
    const self = session.ids?.peerId;
    switch (event.type) {
      case "peer.joined":
        topologySwitch.onPeerJoined(event.peer.peerId);
        break;
      case "producer.new":
        if (event.peerId !== self) sfu.consumers.announce(event.peerId, event.producer);
        break;
      case "producer.closed":
        void session.enqueue(async () => sfu.consumers.dropWhere((c) => c.producerId === event.producerId));
        break;
      case "consumer.closed":
        void session.enqueue(async () => sfu.consumers.dropWhere((c) => c.consumerId === event.consumerId));
        break;
      case "producer.paused":
        // paused by the host on the SFU: stop sending locally too (and over the mesh during a switch)
        if (event.peerId === self && event.source === "mic" && event.byHost) void session.enqueue(() => this.localMedia.applyMicMuted(true, false));
        break;
      case "peer.mic":
        // the host muted us: over the mesh nobody but us can stop the audio; "Unmute" resumes it
        if (event.peerId === self && event.byHost && event.muted) {
          useMeetingStore.getState().notify(HOST_MUTED_YOU);
          void session.enqueue(() => this.localMedia.applyMicMuted(true, false));
        }
        break;
      case "playback":
        useMeetingStore.getState().setPlayback(event.playback);
        break;
      case "playback.allowed":
        useMeetingStore.getState().setPlaybackAllowed(event.allowed);
        break;
      case "peer.left":
        topologySwitch.mesh?.removePeer(event.peerId);
        void session.enqueue(async () => sfu.consumers.dropWhere((c) => c.peerId === event.peerId));
        break;
      case "consumer.layers":
        sfu.consumers.setCurrentLayers(event.consumerId, event.spatialLayer, event.temporalLayer);
        break;
      case "media.lost":
        // only the SFU path depends on the media server
        if (sfu.transports.open || topologySwitch.mode === "SFU") void session.enqueue(() => sfu.recover());
        break;
      case "p2p.signal":
        topologySwitch.onSignal(event.fromPeerId, event.signal);
        break;
      case "mode.changed":
        topologySwitch.onModeChanged(event.mode, event.meshThreshold);
        break;
      case "meeting.ended":
      case "removed":
        this.shutdown();
        break;
      default:
        break;
    }
  }

  // ---- topology ------------------------------------------------------------------------------------------

  /** The host sets how many participants the meeting keeps as a P2P mesh (0: always the SFU). */
  async setMeshThreshold(meshThreshold: number): Promise<void> {
    await this.client.room.setMeshThreshold.mutate({ ...this.session.peer, meshThreshold });
  }

  /** What the engine runs on (tests and debugging). */
  debugTopology(): TopologyDescription {
    return this.topologySwitch.describe();
  }

  /** Test hook: every mesh connection sends an offer at once. */
  forceMeshOffer(): Promise<unknown> {
    return this.topologySwitch.mesh?.forceOffer() ?? Promise.resolve();
  }

  // ---- ICE servers ---------------------------------------------------------------------------------------

  /** Fetches fresh ICE servers now (iceRefresh.ts does it in the background before they expire). */
  refreshIceServers(): Promise<void> {
    return this.iceRefresh.refresh();
  }

  /** New ICE servers (fresh TURN credentials) for every connection, in place: the call goes on. */
  private async applyIceServers(iceServers: RTCIceServer[]): Promise<void> {
    if (this.session.closed) return;
    this.session.iceServers = iceServers;
    this.topologySwitch.mesh?.setIceServers(iceServers);
    await this.sfu.transports.updateIceServers(iceServers);
  }

  // ---- connection state ----------------------------------------------------------------------------------

  private updateConnection(): void {
    const { session } = this;
    if (session.closed) return;
    const socketUp = useRealtimeStatus.getState().status === "open";
    const meshTroubled = this.topologySwitch.mesh?.troubled() ?? false;
    const troubled = session.recovering || this.sfu.transports.troubled.size > 0 || meshTroubled || (session.ready && !socketUp);
    useMeetingStore.getState().setConnection(troubled ? "Reconnecting" : session.ready ? "Connected" : "Connecting");
  }

  // ---- local media ---------------------------------------------------------------------------------------

  setMicMuted(muted: boolean): Promise<void> {
    return this.localMedia.setMicMuted(muted);
  }

  startMic(track: MediaStreamTrack): Promise<void> {
    return this.localMedia.startMic(track);
  }

  startCamera(track: MediaStreamTrack): Promise<void> {
    return this.localMedia.startCamera(track);
  }

  stopCamera(): Promise<void> {
    return this.localMedia.stopCamera();
  }

  startScreenShare(track: MediaStreamTrack): Promise<void> {
    return this.localMedia.startScreenShare(track);
  }

  stopScreenShare(): Promise<void> {
    return this.localMedia.stopScreenShare();
  }

  // ---- remote videos -------------------------------------------------------------------------------------

  setVideoVisible(peerId: string, source: VideoSource, visible: boolean): void {
    this.sfu.consumers.setVideoVisible(peerId, source, visible);
  }

  setVideoSize(peerId: string, source: VideoSource, width: number, height: number): void {
    this.sfu.consumers.setVideoSize(peerId, source, width, height);
  }

  // ---- room actions --------------------------------------------------------------------------------------

  async muteParticipant(peerId: string): Promise<void> {
    await this.client.room.muteParticipant.mutate({ ...this.session.peer, targetPeerId: peerId });
  }

  async removeParticipant(peerId: string): Promise<void> {
    await this.client.room.removeParticipant.mutate({ ...this.session.peer, targetPeerId: peerId });
  }

  async endMeeting(): Promise<void> {
    await this.client.room.end.mutate(this.session.peer);
  }

  // ---- stats ---------------------------------------------------------------------------------------------

  /** What we send, per source and simulcast layer (debugging: which layers the browser really encodes). */
  localStats(): Promise<Record<string, Array<Record<string, unknown>>>> {
    return this.sfu.publisher.localStats();
  }

  /** Inbound stats per remote peer: the path the tile shows (the SFU's, or the mesh's while P2P). */
  async stats(): Promise<Record<string, PeerStats>> {
    const out = await this.sfu.consumers.stats();
    const mesh = this.topologySwitch.mesh;
    if (mesh) {
      for (const [peerId, stats] of Object.entries(await mesh.stats())) {
        if (this.topologySwitch.mode === "P2P" || !out[peerId]) out[peerId] = { ...out[peerId], ...stats };
      }
    }
    return out;
  }
}

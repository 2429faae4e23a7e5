// What the parts of the SFU engine share: the signaling client, who we are in the meeting, the local tracks, the
// connection's health flags, one queue that runs media work in order, and the trace of the last join or rebuild.
import { MediaTrace } from "./mediaTrace";
import type { PeerInput, SignalingClient } from "./signaling";

export interface LocalTracks {
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
  micMuted: boolean;
}

export class MediaSession {
  /** set once joined (and again after a rejoin) */
  ids: PeerInput | null = null;
  code = "";
  iceServers: RTCIceServer[] = [];
  /** Replaces `iceServers` when their TURN credentials are due (iceRefresh.ts): called before an ICE restart or a new mesh connection. */
  freshIceServers: () => Promise<void> = () => Promise.resolve();
  local: LocalTracks = { camera: null, mic: null, screen: null, micMuted: false };
  /** media flows on the current path (mesh started, or SFU transports built and consuming) */
  ready = false;
  /** rebuilding after the socket or the media server was lost */
  recovering = false;
  /** left, ended or removed: nothing more is started */
  closed = false;
  readonly trace = new MediaTrace();
  private queue: Promise<void> = Promise.resolve();

  /** `onHealthChange` recomputes the connection state people see (Connecting / Reconnecting / Connected). */
  constructor(
    readonly client: SignalingClient,
    readonly onHealthChange: () => void,
    /** ICE_TRANSPORT_POLICY: every connection (mesh and SFU transports) gathers relayed candidates only with "relay" */
    readonly iceTransportPolicy: RTCIceTransportPolicy = "all",
  ) {}

  /** Our meeting and peer id for a signaling call (joined by then). */
  get peer(): PeerInput {
    return this.ids!;
  }

  /** Runs media work one task at a time, in order (transports, producers and consumers are not re-entrant). */
  enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.closed ? undefined : task()));
    this.queue = run.catch((error: unknown) => {
      console.warn("[media]", error);
    });
    return run;
  }
}

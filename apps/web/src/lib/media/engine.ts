// The media engine: one interface over the meeting's media topology. The page talks to this only; the SFU
// implementation (mediasoup-client, sfuEngine.ts) can be swapped for a P2P mesh without touching components.
// Engines write what they learn into the zustand stores (stores/meeting.ts, stores/chat.ts).
import type { MediaSource } from "@qualmeet/api";

export type VideoSource = Extract<MediaSource, "camera" | "screen">;

export interface JoinOptions {
  code: string;
  /** live local tracks from the preview (the engine publishes them; they survive media reconnects) */
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
  /** start with the microphone muted */
  micMuted?: boolean;
}

/** Inbound media stats per remote peer, for tests and debugging (window.__qualmeet.stats()). */
export interface PeerStats {
  camera?: VideoStats;
  screen?: VideoStats;
  audio?: { packetsReceived: number; packetsLost: number; bytesReceived: number };
}
export interface VideoStats {
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  packetsReceived: number;
  packetsLost: number;
  paused: boolean;
  /** simulcast layers the producer sends, the ones we asked for (by tile size) and the ones the SFU forwards */
  spatialLayers: number;
  preferredLayers: { spatial: number; temporal: number } | null;
  currentLayers: { spatial: number | null; temporal: number | null } | null;
}

export interface MediaEngine {
  readonly topology: "sfu" | "p2p";
  /** Joins the meeting and publishes the given tracks. Rejects with a user-facing message. */
  join(options: JoinOptions): Promise<void>;
  setMicMuted(muted: boolean): Promise<void>;
  /** Publishes a microphone that became live after the join (muted if the person joined muted). */
  startMic(track: MediaStreamTrack): Promise<void>;
  /** Publishes a camera track (replaces the current one). */
  startCamera(track: MediaStreamTrack): Promise<void>;
  /** Stops publishing the camera and stops the track. */
  stopCamera(): Promise<void>;
  startScreenShare(track: MediaStreamTrack): Promise<void>;
  stopScreenShare(): Promise<void>;
  /** Whether a remote video is on screen: the engine only receives what is shown. */
  setVideoVisible(peerId: string, source: VideoSource, visible: boolean): void;
  /** The size (CSS pixels) a remote video is rendered at: the engine picks the matching quality. */
  setVideoSize(peerId: string, source: VideoSource, width: number, height: number): void;
  muteParticipant(peerId: string): Promise<void>;
  removeParticipant(peerId: string): Promise<void>;
  endMeeting(): Promise<void>;
  /** Leaves the meeting; local tracks are stopped. */
  leave(): Promise<void>;
  stats(): Promise<Record<string, PeerStats>>;
}

// Events of a meeting, as clients receive them from the `room.events` subscription. They travel
// through Redis (stream `room:{meetingId}:events` for resumption, pub/sub `events:{meetingId}` for fan-out),
// so any realtime node can serve any participant.

export type MediaSource = "mic" | "camera" | "screen";

export interface ProducerInfo {
  producerId: string;
  kind: "audio" | "video";
  source: MediaSource;
  paused: boolean;
}

export interface PeerInfo {
  peerId: string;
  userId: string;
  displayName: string;
  isHost: boolean;
  isGuest: boolean;
  /** a bot (a program joined through bot.join), not a person */
  isBot: boolean;
  /** the microphone is muted (over the P2P mesh nothing else says so) */
  micMuted: boolean;
  producers: ProducerInfo[];
}

export type MeetingTopology = "P2P" | "SFU";

/** What one side of a P2P connection sends the other (perfect negotiation: descriptions and candidates). */
export interface P2PSignal {
  description?: { type: "offer" | "answer" | "pranswer" | "rollback"; sdp?: string };
  candidate?: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null;
}

/** "Listen together": the shared media and where it is. */
export interface PlaybackState {
  url: string | null;
  playing: boolean;
  /** seconds into the media at `sentAt` */
  position: number;
  sentAt: string;
  byPeerId: string;
}

export type MeetingEvent =
  | { type: "peer.joined"; peer: PeerInfo }
  | { type: "peer.left"; peerId: string; reason: "left" | "removed" | "disconnected" }
  | { type: "producer.new"; peerId: string; producer: ProducerInfo }
  | { type: "producer.closed"; peerId: string; producerId: string }
  | { type: "producer.paused" | "producer.resumed"; peerId: string; producerId: string; source: MediaSource; byHost: boolean }
  | { type: "activeSpeaker"; peerId: string | null }
  | { type: "audioLevels"; levels: Array<{ peerId: string; volume: number }> }
  /** the media server hosting the meeting was lost: rebuild transports with room.reconnectMedia */
  | { type: "media.lost"; message: string }
  | { type: "meeting.ended" }
  /** the meeting switched between P2P mesh and SFU (or the host changed the threshold) */
  | { type: "mode.changed"; mode: MeetingTopology; meshThreshold: number; reason: string }
  | { type: "playback"; playback: PlaybackState }
  /** the host let everyone share and control "Listen together", or took it back */
  | { type: "playback.allowed"; allowed: boolean }
  // addressed to one peer only (`to`):
  | { type: "consumer.closed"; consumerId: string }
  | { type: "consumer.layers"; consumerId: string; spatialLayer: number | null; temporalLayer: number | null }
  | { type: "consumer.score"; consumerId: string; producerPeerId: string; score: number }
  | { type: "removed"; message: string }
  /** the host muted this participant, who has no SFU producer to pause (P2P mesh): their client mutes itself */
  | { type: "peer.mic"; peerId: string; muted: boolean; byHost: boolean }
  | { type: "p2p.signal"; fromPeerId: string; signal: P2PSignal };

/** An event as stored: `to` limits it to one peer. */
export interface StoredMeetingEvent {
  to?: string;
  event: MeetingEvent;
}

// The commands a meeting's media owner runs. MediaOwner implements them; MeetingService runs them on the owner,
// here or on another node over NodeRpc, through this one interface: renaming a command or changing its
// arguments or result fails to compile on both sides instead of breaking multi-node meetings at run time.
import type { ConsumeInput, ConsumeResult, PlainTransportInfo, ProduceInput, TransportDirection, TransportInfo, mediasoupTypes } from "@qualmeet/media";
import type { BotJoin } from "./bots.ts";
import type { IceServersGrant } from "../services/turnCredentials.ts";
import type { MeetingTopology, P2PSignal, PeerInfo, PlaybackState } from "./events.ts";
import type { Caller, MeetingMeta, MeetingSnapshot } from "./participants.ts";

type Ok = { ok: true };
/** asked through bot.*: refused unless the participant is a bot */
type ByBot = { byBot?: true };

/** Each SFU operation a participant may ask for: its arguments and its result. */
export interface MediaOperations {
  createTransport: { args: { direction: TransportDirection }; result: TransportInfo };
  connectTransport: { args: { transportId: string; dtlsParameters: mediasoupTypes.DtlsParameters }; result: Ok };
  produce: { args: ProduceInput & ByBot; result: { producerId: string } };
  consume: { args: ConsumeInput & ByBot; result: ConsumeResult };
  resumeConsumer: { args: { consumerId: string } & ByBot; result: Ok };
  /** off-screen tiles are paused so the SFU only sends what is shown */
  pauseConsumer: { args: { consumerId: string }; result: Ok };
  setPreferredLayers: { args: { consumerId: string; spatialLayer: number; temporalLayer?: number }; result: Ok };
  pauseProducer: { args: { producerId: string }; result: Ok };
  resumeProducer: { args: { producerId: string }; result: Ok };
  closeProducer: { args: { producerId: string }; result: Ok };
  restartIce: { args: { transportId: string }; result: { iceParameters: mediasoupTypes.IceParameters } };
  /** back on the P2P mesh, or a media rebuild starting over: the participant's SFU media goes */
  closeTransports: { args: Record<string, never>; result: Ok };
  /**
   * A bot's plain RTP transport (bots.ts): "send" learns the bot's address from its first packet (comedia); "recv"
   * sends to `port` at the bot's own address (or at `ip` when BOT_RTP_TARGETS allows it)
   */
  createPlainTransport: { args: { direction: "send" } | { direction: "recv"; port: number; ip?: string }; result: PlainTransportInfo };
}

export type MediaOperation = keyof MediaOperations;
export type MediaArgs<K extends MediaOperation> = MediaOperations[K]["args"];
export type MediaResult<K extends MediaOperation> = MediaOperations[K]["result"];

/** `iceServers`, their `expiresInS` and a `relayNotice` for the person: see services/turnCredentials.ts */
export interface JoinResult extends IceServersGrant {
  meeting: MeetingMeta;
  self: PeerInfo;
  peers: PeerInfo[];
  /** null while the meeting runs without a media server (P2P only) */
  routerRtpCapabilities: mediasoupTypes.RtpCapabilities | null;
  mode: MeetingTopology;
  meshThreshold: number;
  playback: PlaybackState | null;
  /** whether everyone may share and control "Listen together" (the host always may) */
  playbackAllowed: boolean;
  /** the client subscribes from here: its own peer.joined and everything after it */
  lastEventId: string;
}

export interface ReconnectMediaResult {
  routerRtpCapabilities: mediasoupTypes.RtpCapabilities | null;
  peers: PeerInfo[];
}

export type PlaybackCommand = Omit<PlaybackState, "sentAt" | "byPeerId">;

/** Commands for one participant (`peerId` of `meetingId`), refused unless `caller` is that participant. */
export interface MediaOwnerCommands {
  /** `bot`: the caller's program joins as a bot (bots.ts), not the caller */
  join(meetingId: string, caller: Caller, bot?: BotJoin): Promise<JoinResult>;
  /** `joinedAfterId`: the participant's events start after this stream id (nothing from before they joined) */
  check(meetingId: string, peerId: string, caller: Caller): Promise<{ isHost: boolean; joinedAfterId: string | null }>;
  media<K extends MediaOperation>(meetingId: string, peerId: string, caller: Caller, operation: K, args: MediaArgs<K>): Promise<MediaResult<K>>;
  leave(meetingId: string, peerId: string, caller: Caller): Promise<void>;
  signal(meetingId: string, peerId: string, caller: Caller, targetPeerId: string, signal: P2PSignal): Promise<void>;
  playback(meetingId: string, peerId: string, caller: Caller, state: PlaybackCommand): Promise<PlaybackState>;
  setPlaybackAllowed(meetingId: string, peerId: string, caller: Caller, allowed: boolean): Promise<void>;
  setMeshThreshold(meetingId: string, peerId: string, caller: Caller, meshThreshold: number): Promise<void>;
  mute(meetingId: string, peerId: string, caller: Caller, targetPeerId: string): Promise<void>;
  setMicMuted(meetingId: string, peerId: string, caller: Caller, muted: boolean): Promise<void>;
  remove(meetingId: string, peerId: string, caller: Caller, targetPeerId: string): Promise<void>;
  end(meetingId: string, peerId: string, caller: Caller): Promise<void>;
  /** an admin removes a person (every tab of theirs) as the host's removal does; NOT_FOUND when they are not in it */
  removeUser(meetingId: string, userId: string, removedById: string): Promise<void>;
  reconnectMedia(meetingId: string, peerId: string, caller: Caller): Promise<ReconnectMediaResult>;
  /** a socket of the caller's node closed: its participants get the grace window */
  connectionClosed(meetingId: string, connectionId: string): void | Promise<void>;
  /** node drain: this node takes the meeting over */
  adopt(snapshot: MeetingSnapshot): Promise<void>;
}

/** What every realtime node answers about itself (liveness, its sockets). */
export interface NodeCommands {
  ping(): boolean;
  connectionOpen(connectionId: string): boolean;
}

/** Everything a realtime node serves to the others over NodeRpc. */
export type RealtimeNodeCommands = MediaOwnerCommands & NodeCommands;

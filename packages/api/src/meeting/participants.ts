// Who is in a live meeting on its media owner node, and the meeting's state there.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Room as MediaRoom } from "@qualmeet/media";
import type { SessionUser } from "../trpc.ts";
import type { BotJoin } from "./bots.ts";
import type { MeetingTopology, PeerInfo, PlaybackState } from "./events.ts";

export interface Participant {
  peerId: string;
  userId: string;
  displayName: string;
  isHost: boolean;
  isGuest: boolean;
  /** a program of the user's (bots.ts): plain RTP through the SFU, shown as a bot */
  isBot: boolean;
  /** the socket that joined, and the node holding it: only that socket may act for this participant */
  connectionId: string;
  nodeId: string;
  /** where they joined from (a removed guest's address makes new guests from it wait in the lobby) */
  ip: string;
  participationId: string;
  micMuted: boolean;
  /** the stream id just before the participant's own peer.joined: their view of the meeting's log starts after it */
  joinedAfterId: string | null;
  /** set while the participant's socket is gone: they leave when it fires, unless a new socket takes over */
  graceTimer: NodeJS.Timeout | null;
}

export interface MeetingMeta {
  id: string;
  code: string;
  title: string;
  hostId: string;
  maxParticipants: number;
  mode: "P2P" | "SFU";
  p2pMaxParticipants: number;
}

/** A meeting as its media owner holds it. */
export interface LiveMeeting {
  meeting: MeetingMeta;
  /** null while no mediasoup worker is available: the meeting can still run as a P2P mesh */
  media: MediaRoom | null;
  mode: MeetingTopology;
  /** P2P while at most this many participants (0: always SFU) */
  meshThreshold: number;
  /** pending return to P2P after the meeting shrank */
  quietTimer: NodeJS.Timeout | null;
  playback: PlaybackState | null;
  /** the host lets everyone share and control "Listen together" (otherwise only the host does) */
  playbackAllowed: boolean;
  participants: Map<string, Participant>;
  /** set while the media room is rebuilt on a healthy worker */
  rebuilding: Promise<void> | null;
  stopWatchingEvents: () => void;
}

/** A live meeting as it moves from one owner node to another (node drain). */
export interface MeetingSnapshot {
  meeting: MeetingMeta;
  participants: Array<Omit<Participant, "graceTimer">>;
  mode: MeetingTopology;
  meshThreshold: number;
  playback: PlaybackState | null;
  playbackAllowed: boolean;
}

/** The socket a call came on: its id and the realtime node that holds it. */
export interface ConnectionRef {
  connectionId: string;
  nodeId: string;
}

/** Who is calling: the user, their socket, and their address (for the audit log). */
export interface Caller {
  user: SessionUser;
  connection: ConnectionRef;
  ip: string;
}

/** The caller (or, with `bot`, the caller's bot) as a new participant of the meeting. */
export function newParticipant(meeting: Pick<MeetingMeta, "hostId">, caller: Caller, bot?: BotJoin): Participant {
  const { user, connection } = caller;
  return {
    peerId: randomUUID(),
    userId: user.id,
    displayName: bot ? bot.name : user.name,
    // a host's bot acts for nobody: host powers stay with people
    isHost: !bot && meeting.hostId === user.id,
    isGuest: user.isGuest,
    isBot: Boolean(bot),
    connectionId: connection.connectionId,
    nodeId: connection.nodeId,
    ip: caller.ip,
    participationId: randomUUID(),
    micMuted: false,
    joinedAfterId: null,
    graceTimer: null,
  };
}

/** What everyone sees of a participant. */
export function peerInfo(live: LiveMeeting, participant: Participant): PeerInfo {
  const peer = live.media?.peers.get(participant.peerId);
  return {
    peerId: participant.peerId,
    userId: participant.userId,
    displayName: participant.displayName,
    isHost: participant.isHost,
    isGuest: participant.isGuest,
    isBot: participant.isBot,
    micMuted: participant.micMuted,
    producers: peer ? peer.producers() : [],
  };
}

/**
 * The refusal of one more participant for a user already in the meeting `limit` times (tabs, devices), or null:
 * each is a peer with its own transports and consumers, so one account must not fill a meeting or the media server.
 */
export function beyondUserLimit(live: LiveMeeting, userId: string, limit: number): TRPCError | null {
  let joined = 0;
  for (const participant of live.participants.values()) if (participant.userId === userId && !participant.isBot) joined++;
  if (joined < limit) return null;
  return new TRPCError({
    code: "PRECONDITION_FAILED",
    message: `You are already in this meeting from ${joined} tabs or devices, the most one person may use (limit ${limit}). Leave it in one of them to join here.`,
  });
}

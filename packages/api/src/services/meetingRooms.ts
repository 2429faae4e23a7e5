// The live meetings of one realtime node: who is in each room, and the mediasoup room that carries their
// media. Every change is appended to the room's event log (Redis), which is what clients subscribe to.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { MediaError, Room, type WorkerPool, type mediasoupTypes } from "@qualmeet/media";
import type { SessionUser } from "../trpc.ts";
import { appendRoomEvent, roomPresenceKey, type RoomEventLog } from "./roomEventLog.ts";
import { turnCredentials } from "./turnCredentials.ts";
import type { MediaSource, MeetingTopology, P2PSignal, PeerInfo, PlaybackState, RoomEvent } from "./roomEvents.ts";

export interface Participant {
  peerId: string;
  userId: string;
  displayName: string;
  isHost: boolean;
  isGuest: boolean;
  /** the socket that joined, and the node holding it: only that socket may act for this participant */
  connectionId: string;
  nodeId: string;
  participationId: string;
  micMuted: boolean;
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

interface LiveRoom {
  meeting: MeetingMeta;
  /** null while no mediasoup worker is available: the room can still run as a P2P mesh */
  media: Room | null;
  mode: MeetingTopology;
  /** P2P while at most this many participants (0: always SFU) */
  meshThreshold: number;
  /** pending return to P2P after the room shrank */
  quietTimer: NodeJS.Timeout | null;
  playback: PlaybackState | null;
  participants: Map<string, Participant>;
  /** set while the media room is rebuilt on a healthy worker */
  rebuilding: Promise<void> | null;
  stopWatchingEvents: () => void;
}

export const MEDIA_LOST_MESSAGE = "Media server lost, reconnecting…";
export const TARGET_NOT_IN_MEETING = "That participant is not in the meeting.";

/** How long a shrunken room stays on the SFU before returning to P2P, so people coming and going don't flap it. */
const p2pReturnQuietMs = () => Number(process.env.P2P_RETURN_QUIET_MS ?? 15_000);

const MEDIA_UNAVAILABLE = "Media server unavailable. Retrying…";

/** How long a participant whose socket dropped stays in the room (media flowing) for their client to come back. */
const reconnectGraceMs = () => Number(process.env.RECONNECT_GRACE_MS ?? 5000);


/** Maps the media model's refusals to tRPC errors with the model's (clear) message. */
export function mediaToTrpcError(error: unknown): unknown {
  if (!(error instanceof MediaError)) return error;
  const code = error.code === "NOT_FOUND" ? "NOT_FOUND" : error.code === "CLOSED" ? "PRECONDITION_FAILED" : "BAD_REQUEST";
  return new TRPCError({ code, message: error.message, cause: error });
}

/** The socket a call came on: its id and the realtime node that holds it. */
export interface ConnectionRef {
  connectionId: string;
  nodeId: string;
}

/** Who is calling: the user and their socket. */
export interface Caller {
  user: SessionUser;
  connection: ConnectionRef;
}

export type MediaOp =
  | { op: "createTransport"; direction: "send" | "recv" }
  | { op: "connectTransport"; transportId: string; dtlsParameters: mediasoupTypes.DtlsParameters }
  | { op: "produce"; transportId: string; kind: "audio" | "video"; rtpParameters: mediasoupTypes.RtpParameters; source: MediaSource }
  | { op: "consume"; transportId: string; producerId: string; rtpCapabilities: mediasoupTypes.RtpCapabilities }
  | { op: "resumeConsumer" | "pauseConsumer"; consumerId: string }
  | { op: "setPreferredLayers"; consumerId: string; spatialLayer: number; temporalLayer?: number }
  | { op: "pauseProducer" | "resumeProducer" | "closeProducer"; producerId: string }
  | { op: "restartIce"; transportId: string }
  | { op: "closeTransports" };

/** A room as it moves from one owner node to another (node drain). */
export interface RoomSnapshot {
  meeting: MeetingMeta;
  participants: Array<Omit<Participant, "graceTimer">>;
  mode: MeetingTopology;
  meshThreshold: number;
  playback: PlaybackState | null;
}

export interface NodeProbe {
  /** true when the node answers */
  nodeAlive(nodeId: string): Promise<boolean>;
  /** true when that node still has the socket open */
  connectionOpen(ref: ConnectionRef): Promise<boolean>;
}

const notInMeeting = () => new TRPCError({ code: "FORBIDDEN", message: "You are not in this meeting (join it first)." });

/**
 * The rooms whose media this node owns. Every method is a command with plain-data arguments, so the node
 * holding a caller's socket can run it here directly or forward it over NodeRpc (see roomService.ts).
 */
export class MeetingRooms {
  private readonly rooms = new Map<string, LiveRoom>();
  private readonly opening = new Map<string, Promise<LiveRoom>>();

  constructor(
    private readonly deps: { db: PrismaClient; redis: Redis; pool: WorkerPool | null; nodeId: string; log: RoomEventLog; probe: NodeProbe },
  ) {}

  private append(meetingId: string, event: RoomEvent, to?: string): void {
    // Event delivery must not fail the caller's media operation; Redis errors are retried by ioredis.
    void this.deps.log.append(meetingId, event, to).catch(() => {});
  }

  async join(meetingId: string, caller: Caller) {
    const { user, connection } = caller;
    const meeting = await this.deps.db.meeting.findUnique({ where: { id: meetingId } });
    if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: "There is no such meeting." });
    if (meeting.status === "ENDED") throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting has ended." });
    // a page reload joins again before its old socket's grace window ends: the old participant makes way
    for (const old of [...(this.rooms.get(meeting.id)?.participants.values() ?? [])]) {
      if (old.userId !== user.id) continue;
      if (old.graceTimer || !(await this.deps.probe.connectionOpen({ connectionId: old.connectionId, nodeId: old.nodeId }))) {
        await this.depart(meeting.id, old.peerId, "left");
      }
    }
    const live = await this.open(meeting);
    if (live.rebuilding) await live.rebuilding;

    // capacity check and insertion with no await in between: concurrent joins cannot both take the last seat
    if (live.participants.size >= meeting.maxParticipants) {
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting is full." });
    }
    const participant: Participant = {
      peerId: randomUUID(),
      userId: user.id,
      displayName: user.name,
      isHost: meeting.hostId === user.id,
      isGuest: user.isGuest,
      connectionId: connection.connectionId,
      nodeId: connection.nodeId,
      participationId: randomUUID(),
      micMuted: false,
      graceTimer: null,
    };
    live.participants.set(participant.peerId, participant);
    try {
      await this.fitTopology(live);
      if (live.media) this.attachPeer(live, participant);
      await this.deps.db.meetingParticipant.create({
        data: { id: participant.participationId, meetingId: meeting.id, userId: user.id, displayName: user.name, role: participant.isHost ? "HOST" : "PARTICIPANT" },
      });
      if (meeting.status !== "LIVE") await this.deps.db.meeting.update({ where: { id: meeting.id }, data: { status: "LIVE", startedAt: meeting.startedAt ?? new Date() } });
      // the node holding the participant's socket (which may not be this, the media owner)
      await this.deps.redis.hset(roomPresenceKey(meeting.id), participant.peerId, connection.nodeId);
    } catch (error) {
      live.participants.delete(participant.peerId);
      if (live.media?.peers.has(participant.peerId)) live.media.removePeer(participant.peerId);
      throw error;
    }
    const lastEventId = await this.deps.log.append(meeting.id, { type: "peer.joined", peer: this.peerInfo(live, participant) });
    return {
      meeting: live.meeting,
      self: this.peerInfo(live, participant),
      peers: [...live.participants.values()].filter((p) => p.peerId !== participant.peerId).map((p) => this.peerInfo(live, p)),
      /** null while the meeting runs without a media server (P2P only) */
      routerRtpCapabilities: live.media?.rtpCapabilities ?? null,
      mode: live.mode,
      meshThreshold: live.meshThreshold,
      playback: live.playback,
      iceServers: turnCredentials(user.id).iceServers,
      // the client subscribes from here: its own peer.joined and everything after it
      lastEventId: previousId(lastEventId),
    };
  }

  /**
   * The caller's participant: theirs, on the socket that joined it, or on the user's new socket when the old
   * one is gone (it dropped within the grace window, or its node no longer answers).
   */
  private async participant(meetingId: string, peerId: string, caller: Caller) {
    const live = this.rooms.get(meetingId);
    const participant = live?.participants.get(peerId);
    if (!live || !participant || participant.userId !== caller.user.id) throw notInMeeting();
    const { connectionId, nodeId } = caller.connection;
    if (participant.connectionId !== connectionId) {
      const takeover = participant.graceTimer !== null || !(await this.deps.probe.connectionOpen({ connectionId: participant.connectionId, nodeId: participant.nodeId }));
      if (!takeover || live.participants.get(peerId) !== participant) throw notInMeeting();
      if (participant.graceTimer) clearTimeout(participant.graceTimer);
      participant.graceTimer = null;
      participant.connectionId = connectionId;
      participant.nodeId = nodeId;
      await this.deps.redis.hset(roomPresenceKey(meetingId), peerId, nodeId).catch(() => {});
    }
    return { live, participant };
  }

  private async host(meetingId: string, peerId: string, caller: Caller) {
    const found = await this.participant(meetingId, peerId, caller);
    if (!found.participant.isHost) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can do this." });
    return found;
  }

  /** Refuses unless the caller is this participant (e.g. before streaming the room's events to them). */
  async check(meetingId: string, peerId: string, caller: Caller): Promise<{ isHost: boolean }> {
    const { participant } = await this.participant(meetingId, peerId, caller);
    return { isHost: participant.isHost };
  }

  /** A participant's media operation, with the model's refusals as clear tRPC errors. */
  async media(meetingId: string, peerId: string, caller: Caller, op: MediaOp): Promise<unknown> {
    const { live } = await this.participant(meetingId, peerId, caller);
    if (live.rebuilding) throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEDIA_LOST_MESSAGE });
    if (!live.media) throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEDIA_UNAVAILABLE });
    const peer = live.media.getPeer(peerId);
    const sourceOf = (producerId: string) => peer.producers().find((p) => p.producerId === producerId)?.source;
    try {
      switch (op.op) {
        case "createTransport":
          return await peer.createWebRtcTransport(op.direction);
        case "connectTransport":
          await peer.connectTransport(op.transportId, op.dtlsParameters);
          return { ok: true };
        case "produce": {
          const { producerId } = await peer.produce({ transportId: op.transportId, kind: op.kind, rtpParameters: op.rtpParameters, source: op.source });
          this.append(meetingId, { type: "producer.new", peerId, producer: { producerId, kind: op.kind, source: op.source, paused: false } });
          return { producerId };
        }
        case "consume":
          return await peer.consume({ transportId: op.transportId, producerId: op.producerId, rtpCapabilities: op.rtpCapabilities });
        case "resumeConsumer":
          await peer.resumeConsumer(op.consumerId);
          return { ok: true };
        case "pauseConsumer":
          await peer.pauseConsumer(op.consumerId);
          return { ok: true };
        case "setPreferredLayers":
          await peer.setPreferredLayers(op.consumerId, { spatialLayer: op.spatialLayer, temporalLayer: op.temporalLayer });
          return { ok: true };
        case "pauseProducer":
        case "resumeProducer": {
          const source = sourceOf(op.producerId);
          const paused = op.op === "pauseProducer";
          if (paused) await peer.pauseProducer(op.producerId);
          else await peer.resumeProducer(op.producerId);
          if (source) this.append(meetingId, { type: paused ? "producer.paused" : "producer.resumed", peerId, producerId: op.producerId, source, byHost: false });
          return { ok: true };
        }
        case "closeProducer":
          // the peer's "producerclosed" event tells the room
          peer.closeProducer(op.producerId);
          return { ok: true };
        case "restartIce":
          return { iceParameters: await peer.restartIce(op.transportId) };
        case "closeTransports": {
          // back on the P2P mesh, or a media rebuild starting over: the participant's SFU media goes (a fresh,
          // empty peer stays for later), and the others drop what they consumed of it
          const participant = live.participants.get(peerId)!;
          for (const { producerId } of peer.producers()) this.append(meetingId, { type: "producer.closed", peerId, producerId });
          live.media.removePeer(peerId);
          this.attachPeer(live, participant);
          return { ok: true };
        }
      }
    } catch (error) {
      throw mediaToTrpcError(error);
    }
  }

  peerInfo(live: LiveRoom, participant: Participant): PeerInfo {
    const peer = live.media?.peers.get(participant.peerId);
    return {
      peerId: participant.peerId,
      userId: participant.userId,
      displayName: participant.displayName,
      isHost: participant.isHost,
      isGuest: participant.isGuest,
      micMuted: participant.micMuted,
      producers: peer ? peer.producers() : [],
    };
  }

  async chat(meetingId: string, peerId: string, caller: Caller, text: string) {
    const { participant } = await this.participant(meetingId, peerId, caller);
    const messageId = await this.deps.log.append(meetingId, { type: "chat", peerId, displayName: participant.displayName, text, sentAt: new Date().toISOString() });
    return { messageId };
  }

  async leave(meetingId: string, peerId: string, caller: Caller): Promise<void> {
    await this.participant(meetingId, peerId, caller);
    await this.depart(meetingId, peerId, "left");
  }

  private async depart(meetingId: string, peerId: string, reason: "left" | "removed" | "disconnected"): Promise<void> {
    const live = this.rooms.get(meetingId);
    const participant = live?.participants.get(peerId);
    if (!live || !participant) return;
    if (participant.graceTimer) clearTimeout(participant.graceTimer);
    live.participants.delete(peerId);
    if (live.media?.peers.has(peerId)) live.media.removePeer(peerId);
    this.append(meetingId, { type: "peer.left", peerId, reason });
    this.scheduleReturnToP2P(live);
    await Promise.allSettled([
      this.deps.redis.hdel(roomPresenceKey(meetingId), peerId),
      this.deps.db.meetingParticipant.update({ where: { id: participant.participationId }, data: { leftAt: new Date() } }),
    ]);
    if (live.participants.size === 0) await this.closeRoom(live, "SCHEDULED");
  }

  /** The host removes someone: they are told, then leave. */
  async remove(meetingId: string, peerId: string, caller: Caller, targetPeerId: string): Promise<void> {
    const { live } = await this.host(meetingId, peerId, caller);
    if (targetPeerId === peerId) throw new TRPCError({ code: "BAD_REQUEST", message: "Use Leave to leave the meeting yourself." });
    if (!live.participants.has(targetPeerId)) throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
    this.append(meetingId, { type: "removed", message: "You were removed from the meeting by the host." }, targetPeerId);
    await this.depart(meetingId, targetPeerId, "removed");
  }

  /** The host mutes someone's microphone (they can unmute themselves). */
  async mute(meetingId: string, peerId: string, caller: Caller, targetPeerId: string): Promise<void> {
    const { live } = await this.host(meetingId, peerId, caller);
    const target = live.participants.get(targetPeerId);
    if (!target) throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
    const peer = live.media?.peers.get(targetPeerId);
    for (const producer of peer?.producers() ?? []) {
      if (producer.source !== "mic" || producer.paused) continue;
      await peer!.pauseProducer(producer.producerId);
      this.append(meetingId, { type: "producer.paused", peerId: targetPeerId, producerId: producer.producerId, source: "mic", byHost: true });
    }
    // over the P2P mesh the audio goes straight to the others: only the participant's client can stop it
    // (it mutes itself on this event), and everyone's participant list shows the muted mic
    target.micMuted = true;
    this.append(meetingId, { type: "peer.mic", peerId: targetPeerId, muted: true, byHost: true });
  }

  /** A participant muted or unmuted their own microphone: everyone's participant list follows. */
  async setMicMuted(meetingId: string, peerId: string, caller: Caller, muted: boolean): Promise<void> {
    const { participant } = await this.participant(meetingId, peerId, caller);
    if (participant.micMuted === muted) return;
    participant.micMuted = muted;
    this.append(meetingId, { type: "peer.mic", peerId, muted, byHost: false });
  }

  /** The host ends the meeting for everyone (every node sees the event and closes its part). */
  async end(meetingId: string, peerId: string, caller: Caller): Promise<void> {
    await this.host(meetingId, peerId, caller);
    await this.deps.db.meeting.update({ where: { id: meetingId }, data: { status: "ENDED", endedAt: new Date() } });
    await this.deps.redis.del(`cache:room:${meetingId}`);
    await this.deps.db.auditLog.create({ data: { actorId: caller.user.id, action: "meeting.end", targetType: "meeting", targetId: meetingId } });
    await appendRoomEvent(this.deps.redis, meetingId, { type: "meeting.ended" });
  }

  /** Everyone leaves; the meeting is over. */
  async ended(meetingId: string): Promise<void> {
    const live = this.rooms.get(meetingId);
    if (live) await this.closeRoom(live, "ENDED");
  }

  /** After `media.lost`: the room's new router capabilities and everyone still here. */
  async reconnectMedia(meetingId: string, peerId: string, caller: Caller) {
    const { live } = await this.participant(meetingId, peerId, caller);
    if (live.rebuilding) await live.rebuilding;
    return {
      routerRtpCapabilities: live.media?.rtpCapabilities ?? null,
      peers: [...live.participants.values()].map((p) => this.peerInfo(live, p)),
    };
  }

  /**
   * A socket closed: its participants stay for the grace window (nobody sees them leave, their media keeps
   * flowing) so that the client's reconnect resumes where it was; then they leave.
   */
  connectionClosed(meetingId: string, connectionId: string): void {
    const live = this.rooms.get(meetingId);
    for (const p of live?.participants.values() ?? []) if (p.connectionId === connectionId) this.startGrace(live!, p);
  }

  private startGrace(live: LiveRoom, p: Participant): void {
    if (p.graceTimer) return;
    p.graceTimer = setTimeout(() => void this.depart(live.meeting.id, p.peerId, "disconnected").catch(() => {}), reconnectGraceMs());
    p.graceTimer.unref();
  }

  /** Participants whose socket's node stopped answering (killed) get the grace window too. */
  async sweepDeadNodes(): Promise<void> {
    const nodes = new Set<string>();
    for (const live of this.rooms.values()) for (const p of live.participants.values()) if (p.nodeId !== this.deps.nodeId && !p.graceTimer) nodes.add(p.nodeId);
    for (const node of nodes) {
      if (await this.deps.probe.nodeAlive(node)) continue;
      for (const live of this.rooms.values()) for (const p of live.participants.values()) if (p.nodeId === node) this.startGrace(live, p);
    }
  }

  /** Whether the meeting's room lives on this node. */
  hosts(meetingId: string): boolean {
    return this.rooms.has(meetingId);
  }

  ownedMeetingIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** Drain: the room as data, for another node to adopt. */
  snapshot(meetingId: string): RoomSnapshot | null {
    const live = this.rooms.get(meetingId);
    if (!live) return null;
    return {
      meeting: live.meeting,
      participants: [...live.participants.values()].map(({ graceTimer: _timer, ...p }) => p),
      mode: live.mode,
      meshThreshold: live.meshThreshold,
      playback: live.playback,
    };
  }

  /** Drain, on the receiving node: the same room and participants with new media; clients are told to reconnect it. */
  async adopt(snapshot: RoomSnapshot): Promise<void> {
    const media = await this.createMediaRoom(snapshot.meeting.id).catch(() => null);
    const live: LiveRoom = {
      meeting: snapshot.meeting,
      media,
      mode: snapshot.mode,
      meshThreshold: snapshot.meshThreshold,
      quietTimer: null,
      playback: snapshot.playback,
      participants: new Map(snapshot.participants.map((p) => [p.peerId, { ...p, graceTimer: null }])),
      rebuilding: null,
      stopWatchingEvents: () => {},
    };
    this.watchMedia(live);
    live.stopWatchingEvents = await this.watchEnd(snapshot.meeting.id);
    if (media) for (const p of live.participants.values()) this.attachPeer(live, p);
    this.rooms.set(snapshot.meeting.id, live);
  }

  /** Drain, on the leaving node: forget the room without anyone leaving (its new owner carries on). */
  release(meetingId: string): void {
    const live = this.rooms.get(meetingId);
    if (!live) return;
    this.rooms.delete(meetingId);
    live.stopWatchingEvents();
    if (live.quietTimer) clearTimeout(live.quietTimer);
    for (const p of live.participants.values()) if (p.graceTimer) clearTimeout(p.graceTimer);
    live.media?.close();
  }

  /** Rooms this node hosts, for health and metrics. */
  stats() {
    return [...this.rooms.values()].map((live) => ({
      meetingId: live.meeting.id,
      participants: live.participants.size,
      mode: live.mode,
      consumers: live.media?.consumerCount() ?? 0,
      transports: [...(live.media?.peers.values() ?? [])].reduce((sum, peer) => sum + peer.transportIds().length, 0),
      routers: live.media?.routerCount() ?? 0,
    }));
  }

  /** Node shutdown: everyone here leaves. */
  async close(): Promise<void> {
    for (const live of [...this.rooms.values()]) {
      for (const peerId of [...live.participants.keys()]) await this.depart(live.meeting.id, peerId, "disconnected");
    }
  }

  private async open(meeting: MeetingMeta & { status: string }): Promise<LiveRoom> {
    const existing = this.rooms.get(meeting.id);
    if (existing) return existing;
    let opening = this.opening.get(meeting.id);
    if (!opening) {
      opening = (async () => {
        const live: LiveRoom = {
          meeting: { id: meeting.id, code: meeting.code, title: meeting.title, hostId: meeting.hostId, maxParticipants: meeting.maxParticipants, mode: meeting.mode, p2pMaxParticipants: meeting.p2pMaxParticipants },
          // without a worker the room still opens: a small meeting runs P2P
          media: await this.createMediaRoom(meeting.id).catch(() => null),
          mode: meeting.p2pMaxParticipants > 0 ? "P2P" : "SFU",
          meshThreshold: meeting.p2pMaxParticipants,
          quietTimer: null,
          playback: null,
          participants: new Map(),
          rebuilding: null,
          stopWatchingEvents: () => {},
        };
        this.watchMedia(live);
        live.stopWatchingEvents = await this.watchEnd(meeting.id);
        this.rooms.set(meeting.id, live);
        return live;
      })().finally(() => this.opening.delete(meeting.id));
      this.opening.set(meeting.id, opening);
    }
    return opening;
  }

  /** The meeting may be ended elsewhere (the web app's meeting.end): close the room here too. */
  private watchEnd(meetingId: string): Promise<() => void> {
    return this.deps.log.watch(meetingId, (type) => {
      if (type === "meeting.ended") void this.ended(meetingId);
    });
  }

  private async createMediaRoom(meetingId: string): Promise<Room> {
    if (!this.deps.pool) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: MEDIA_UNAVAILABLE });
    return Room.create({ pool: this.deps.pool, id: meetingId });
  }

  /**
   * P2P mesh while the room is small, SFU beyond the threshold. Going up is immediate (the joiner needs it);
   * a room without a media server stays P2P while it can and refuses a join it cannot carry.
   */
  private async fitTopology(live: LiveRoom): Promise<void> {
    const count = live.participants.size;
    if (live.mode === "SFU" || count <= live.meshThreshold) {
      if (live.mode === "SFU" && count <= live.meshThreshold) this.scheduleReturnToP2P(live);
      return;
    }
    if (live.quietTimer) clearTimeout(live.quietTimer);
    live.quietTimer = null;
    if (!live.media) {
      live.media = await this.createMediaRoom(live.meeting.id).catch(() => null);
      if (!live.media) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: MEDIA_UNAVAILABLE });
      this.watchMedia(live);
      for (const participant of live.participants.values()) if (!live.media.peers.has(participant.peerId)) this.attachPeer(live, participant);
    }
    this.setMode(live, "SFU", `${count} participants: more than ${live.meshThreshold} go through the media server`);
  }

  private scheduleReturnToP2P(live: LiveRoom): void {
    if (live.mode !== "SFU" || live.quietTimer || live.participants.size > Math.min(2, live.meshThreshold) || live.participants.size === 0) return;
    live.quietTimer = setTimeout(() => {
      live.quietTimer = null;
      if (this.rooms.get(live.meeting.id) === live && live.participants.size <= Math.min(2, live.meshThreshold)) {
        this.setMode(live, "P2P", `${live.participants.size} participants: back to a direct connection`);
      }
    }, p2pReturnQuietMs());
    live.quietTimer.unref();
  }

  private setMode(live: LiveRoom, mode: MeetingTopology, reason: string): void {
    live.mode = mode;
    this.append(live.meeting.id, { type: "mode.changed", mode, meshThreshold: live.meshThreshold, reason });
  }

  /** The host changes when the meeting leaves P2P; the room adapts at once if it must. */
  async setMeshThreshold(meetingId: string, peerId: string, caller: Caller, meshThreshold: number): Promise<void> {
    const { live } = await this.host(meetingId, peerId, caller);
    await this.deps.db.meeting.update({ where: { id: meetingId }, data: { p2pMaxParticipants: meshThreshold } });
    await this.deps.redis.del(`cache:room:${meetingId}`).catch(() => {});
    live.meshThreshold = meshThreshold;
    live.meeting.p2pMaxParticipants = meshThreshold;
    if (live.mode === "P2P" && live.participants.size > meshThreshold) await this.fitTopology(live);
    else this.setMode(live, live.mode, `the host set the P2P limit to ${meshThreshold}`);
  }

  /** Relays a P2P negotiation message to one participant (across nodes: through the room's event log). */
  async signal(meetingId: string, peerId: string, caller: Caller, targetPeerId: string, signal: P2PSignal): Promise<void> {
    const { live } = await this.participant(meetingId, peerId, caller);
    if (!live.participants.has(targetPeerId) || targetPeerId === peerId) {
      throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
    }
    this.append(meetingId, { type: "p2p.signal", fromPeerId: peerId, signal }, targetPeerId);
  }

  /** "Listen together": everyone's player follows the last command. */
  async playback(meetingId: string, peerId: string, caller: Caller, state: Omit<PlaybackState, "sentAt" | "byPeerId">): Promise<PlaybackState> {
    const { live } = await this.participant(meetingId, peerId, caller);
    live.playback = { ...state, sentAt: new Date().toISOString(), byPeerId: peerId };
    this.append(meetingId, { type: "playback", playback: live.playback });
    return live.playback;
  }

  private watchMedia(live: LiveRoom): void {
    const media = live.media;
    media?.on("activespeaker", (peerId: string | null) => this.append(live.meeting.id, { type: "activeSpeaker", peerId }));
    media?.on("audiolevels", (levels: Array<{ peerId: string; volume: number }>) => this.append(live.meeting.id, { type: "audioLevels", levels }));
    if (!media) return;
    media.on("workerdied", () => {
      if (live.media === media) live.rebuilding = this.rebuild(live);
    });
  }

  /** The worker under a room died: a new media room on a healthy worker, the same participants, and clients told to reconnect. */
  private async rebuild(live: LiveRoom): Promise<void> {
    try {
      for (;;) {
        try {
          live.media = await this.createMediaRoom(live.meeting.id);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      this.watchMedia(live);
      for (const participant of live.participants.values()) this.attachPeer(live, participant);
      this.append(live.meeting.id, { type: "media.lost", message: MEDIA_LOST_MESSAGE });
    } finally {
      live.rebuilding = null;
    }
  }

  private attachPeer(live: LiveRoom, participant: Participant): void {
    const meetingId = live.meeting.id;
    const to = participant.peerId;
    const peer = live.media!.addPeer(participant.peerId);
    peer.on("consumerclosed", (consumerId: string) => this.append(meetingId, { type: "consumer.closed", consumerId }, to));
    peer.on("consumerlayers", (consumerId: string, layers: { spatialLayer: number; temporalLayer?: number } | null) =>
      this.append(meetingId, { type: "consumer.layers", consumerId, spatialLayer: layers?.spatialLayer ?? null, temporalLayer: layers?.temporalLayer ?? null }, to),
    );
    peer.on("consumerscore", (consumerId: string, producerPeerId: string, score: number) => this.append(meetingId, { type: "consumer.score", consumerId, producerPeerId, score }, to));
    peer.on("producerclosed", (producerId: string) => this.append(meetingId, { type: "producer.closed", peerId: to, producerId }));
  }

  private async closeRoom(live: LiveRoom, status: "SCHEDULED" | "ENDED"): Promise<void> {
    const meetingId = live.meeting.id;
    this.rooms.delete(meetingId);
    live.stopWatchingEvents();
    const remaining = [...live.participants.values()];
    live.participants.clear();
    if (live.quietTimer) clearTimeout(live.quietTimer);
    live.media?.close();
    await Promise.allSettled([
      this.deps.redis.del(roomPresenceKey(meetingId)),
      remaining.length ? this.deps.db.meetingParticipant.updateMany({ where: { id: { in: remaining.map((p) => p.participationId) } }, data: { leftAt: new Date() } }) : null,
      status === "SCHEDULED" ? this.deps.db.meeting.updateMany({ where: { id: meetingId, status: "LIVE" }, data: { status: "SCHEDULED" } }) : null,
    ]);
  }
}

/** The stream id just before `id`, so a subscription "after" it starts with the event `id` itself. */
function previousId(id: string): string {
  const [ms = "0", seq = "0"] = id.split("-");
  return Number(seq) > 0 ? `${ms}-${Number(seq) - 1}` : `${Number(ms) - 1}-18446744073709551615`;
}

// The live meetings whose media this node owns: who is in each, and the mediasoup room that carries their media.
// Every change is appended to the meeting's event log (Redis), which is what clients subscribe to. Every command
// takes plain data (MediaOwnerCommands), so the node holding a caller's socket can run it here directly or
// forward it over NodeRpc (see meetingService.ts).
import { TRPCError } from "@trpc/server";
import { env } from "@qualmeet/config";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import type { Room as MediaRoom, WorkerPool } from "@qualmeet/media";
import { previousStreamId } from "../services/streamIds.ts";
import { issueIceServers } from "../services/turnCredentials.ts";
import type { JoinResult, MediaArgs, MediaOperation, MediaOwnerCommands, MediaResult, PlaybackCommand, ReconnectMediaResult } from "./commands.ts";
import type { MeetingEventLog } from "./eventLog.ts";
import type { MeetingEvent, P2PSignal, PlaybackState } from "./events.ts";
import { meetingKeys } from "./keys.ts";
import { MeetingMedia } from "./meetingMedia.ts";
import { forgetMesh, recordMesh, relaySignal } from "./meshGate.ts";
import { endMeeting, forgetCachedMeeting } from "./meetingRecords.ts";
import { MEDIA_LOST_MESSAGE, MEDIA_UNAVAILABLE, MEETING_ENDED, PLAYBACK_HOST_ONLY, TARGET_NOT_IN_MEETING, mediaToTrpcError, notInMeeting } from "./messages.ts";
import {
  peerInfo,
  beyondUserLimit,
  newParticipant,
  type Caller,
  type ConnectionRef,
  type LiveMeeting,
  type MeetingMeta,
  type MeetingSnapshot,
  type Participant,
} from "./participants.ts";
import { banBots, beyondBotLimit, BOTS_REMOVED, type BotJoin } from "./bots.ts";
import { runPeerMedia } from "./peerMedia.ts";
import { rememberRemoval } from "./removal.ts";
import { REMOVED_FROM_MEETING } from "./admission.ts";
import { logFailure, logger } from "@qualmeet/log";
import { webhookEvent } from "../webhooks/emitter.ts";

export interface NodeProbe {
  /** true when the node answers */
  nodeAlive(nodeId: string): Promise<boolean>;
  /** true when that node still has the socket open */
  connectionOpen(ref: ConnectionRef): Promise<boolean>;
}

export class MediaOwner implements MediaOwnerCommands {
  private readonly meetings = new Map<string, LiveMeeting>();
  private readonly opening = new Map<string, Promise<LiveMeeting>>();
  private readonly meetingMedia: MeetingMedia;

  constructor(private readonly deps: { db: PrismaClient; redis: Redis; pool: WorkerPool | null; nodeId: string; log: MeetingEventLog; probe: NodeProbe }) {
    this.meetingMedia = new MeetingMedia({
      pool: deps.pool,
      append: (meetingId, event, to) => this.append(meetingId, event, to),
      isCurrent: (live) => this.meetings.get(live.meeting.id) === live,
      recordMesh: (live) => this.recordMesh(live),
    });
  }

  private append(meetingId: string, event: MeetingEvent, to?: string): void {
    // Event delivery must not fail the caller's media operation; Redis errors are retried by ioredis.
    void this.deps.log
      .append(meetingId, event, to)
      .catch(logFailure("meeting: event not delivered (clients resync on their next join or reconnect)", { meetingId, type: event.type }));
  }

  private recordMesh(live: LiveMeeting): void {
    void recordMesh(this.deps.redis, live).catch(
      logFailure("meeting: P2P signal relay state not recorded (signals may be refused until the next join)", { meetingId: live.meeting.id }),
    );
  }

  async join(meetingId: string, caller: Caller, bot?: BotJoin): Promise<JoinResult> {
    const { user, connection } = caller;
    const meeting = await this.deps.db.meeting.findUnique({ where: { id: meetingId } });
    if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: "There is no such meeting." });
    if (meeting.status === "ENDED") throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEETING_ENDED });
    // a page reload joins again before its old socket's grace window ends: the old participant makes way
    for (const old of [...(this.meetings.get(meeting.id)?.participants.values() ?? [])]) {
      if (old.userId !== user.id || old.isBot || bot) continue;
      if (old.graceTimer || !(await this.deps.probe.connectionOpen({ connectionId: old.connectionId, nodeId: old.nodeId }))) {
        await this.depart(meeting.id, old.peerId, "left");
      }
    }
    const live = await this.open(meeting);
    if (live.rebuilding) await live.rebuilding;

    // capacity checks and insertion with no await in between: concurrent joins cannot both take the last seat
    const limit = bot ? env.BOT_MAX_PER_MEETING : env.MEETING_MAX_PARTICIPANTS_PER_USER;
    const beyondLimit = bot ? beyondBotLimit(live, limit) : beyondUserLimit(live, user.id, limit);
    if (beyondLimit) {
      logger.warn(
        { meetingId: meeting.id, userId: user.id, socketId: connection.connectionId, nodeId: connection.nodeId, ip: caller.ip, limit, bot: Boolean(bot) },
        bot ? "meeting: bot refused: the meeting has as many bots as allowed" : "meeting: join refused: the user is in it from as many tabs as allowed",
      );
      throw beyondLimit;
    }
    if (live.participants.size >= meeting.maxParticipants) {
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting is full." });
    }
    const participant = newParticipant(meeting, caller, bot);
    live.participants.set(participant.peerId, participant);
    try {
      // live from this join on; an end that came first (the host's, an idle sweep's: idleMeetings.ts) wins
      if (meeting.status !== "LIVE") {
        const { count } = await this.deps.db.meeting.updateMany({
          where: { id: meeting.id, status: { not: "ENDED" } },
          data: { status: "LIVE", startedAt: meeting.startedAt ?? new Date() },
        });
        if (count === 0) throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEETING_ENDED });
        webhookEvent(this.deps.redis, "meeting.started", { meeting: { id: meeting.id } });
      }
      await this.meetingMedia.fitTopology(live);
      this.recordMesh(live);
      if (live.media) this.meetingMedia.attachPeer(live, participant);
      await this.deps.db.meetingParticipant.create({
        data: { id: participant.participationId, meetingId: meeting.id, userId: user.id, displayName: participant.displayName, role: participant.isHost ? "HOST" : "PARTICIPANT" },
      });
      // the node holding the participant's socket (which may not be this, the media owner)
      await this.deps.redis.hset(meetingKeys.presence(meeting.id), participant.peerId, connection.nodeId);
    } catch (error) {
      live.participants.delete(participant.peerId);
      if (live.media?.peers.has(participant.peerId)) live.media.removePeer(participant.peerId);
      // a first join that failed leaves no live meeting behind (its row back to SCHEDULED: idle sweeps see it)
      if (live.participants.size === 0 && this.meetings.get(meeting.id) === live) await this.close(live, "SCHEDULED");
      throw error;
    }
    const lastEventId = await this.deps.log.append(meeting.id, { type: "peer.joined", peer: peerInfo(live, participant) });
    const joined = { userId: user.id, name: user.name, isGuest: user.isGuest, isHost: participant.isHost };
    webhookEvent(this.deps.redis, "participant.joined", { meeting: { id: meeting.id }, participant: joined });
    participant.joinedAfterId = previousStreamId(lastEventId);
    return {
      meeting: live.meeting,
      self: peerInfo(live, participant),
      peers: [...live.participants.values()].filter((p) => p.peerId !== participant.peerId).map((p) => peerInfo(live, p)),
      routerRtpCapabilities: live.media?.rtpCapabilities ?? null,
      mode: live.mode,
      meshThreshold: live.meshThreshold,
      playback: live.playback,
      playbackAllowed: live.playbackAllowed,
      ...(await issueIceServers(this.deps.redis, user.id)),
      lastEventId: participant.joinedAfterId,
    };
  }

  /**
   * The caller's participant: theirs, on the socket that joined it, or on the user's new socket when the old
   * one is gone (it dropped within the grace window, or its node no longer answers).
   */
  private async participant(meetingId: string, peerId: string, caller: Caller) {
    const live = this.meetings.get(meetingId);
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
      await this.deps.redis
        .hset(meetingKeys.presence(meetingId), peerId, nodeId)
        .catch(logFailure("meeting: participant's node not recorded (signals to them may be refused until they rejoin)", { meetingId, peerId }));
    }
    return { live, participant };
  }

  private async host(meetingId: string, peerId: string, caller: Caller) {
    const found = await this.participant(meetingId, peerId, caller);
    if (!found.participant.isHost) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can do this." });
    return found;
  }

  /** Refuses unless the caller is this participant (e.g. before streaming the meeting's events to them). */
  async check(meetingId: string, peerId: string, caller: Caller): Promise<{ isHost: boolean; joinedAfterId: string | null }> {
    const { participant } = await this.participant(meetingId, peerId, caller);
    return { isHost: participant.isHost, joinedAfterId: participant.joinedAfterId };
  }

  /** A participant's SFU operation, with the media model's refusals as clear tRPC errors. */
  async media<K extends MediaOperation>(meetingId: string, peerId: string, caller: Caller, operation: K, args: MediaArgs<K>): Promise<MediaResult<K>> {
    const { live, participant } = await this.participant(meetingId, peerId, caller);
    if (live.rebuilding) throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEDIA_LOST_MESSAGE });
    if (!live.media) throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEDIA_UNAVAILABLE });
    try {
      const peer = live.media.getPeer(peerId);
      const context = {
        live,
        peerId,
        participant,
        peer,
        append: (event: MeetingEvent, to?: string) => this.append(meetingId, event, to),
        reattach: () => this.meetingMedia.attachPeer(live, participant),
      };
      return await runPeerMedia(context, operation, args);
    } catch (error) {
      throw mediaToTrpcError(error);
    }
  }

  async leave(meetingId: string, peerId: string, caller: Caller): Promise<void> {
    await this.participant(meetingId, peerId, caller);
    await this.depart(meetingId, peerId, "left");
  }

  private async depart(meetingId: string, peerId: string, reason: "left" | "removed" | "disconnected"): Promise<void> {
    const live = this.meetings.get(meetingId);
    const participant = live?.participants.get(peerId);
    if (!live || !participant) return;
    if (participant.graceTimer) clearTimeout(participant.graceTimer);
    live.participants.delete(peerId);
    if (live.media?.peers.has(peerId)) live.media.removePeer(peerId);
    this.append(meetingId, { type: "peer.left", peerId, reason });
    webhookEvent(this.deps.redis, "participant.left", { meeting: { id: meetingId }, participant: { userId: participant.userId, name: participant.displayName, reason } });
    this.meetingMedia.scheduleReturnToP2P(live);
    await Promise.allSettled([
      this.deps.redis.hdel(meetingKeys.presence(meetingId), peerId),
      this.deps.db.meetingParticipant.update({ where: { id: participant.participationId }, data: { leftAt: new Date() } }),
    ]);
    if (live.participants.size === 0) await this.close(live, "SCHEDULED");
  }

  /**
   * The host removes someone: remembered first (so a quick rejoin is already refused, on any node), then each of
   * their participants (tabs, devices) is told and leaves.
   */
  async remove(meetingId: string, peerId: string, caller: Caller, targetPeerId: string): Promise<void> {
    const { live } = await this.host(meetingId, peerId, caller);
    const target = live.participants.get(targetPeerId);
    if (!target) throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
    if (target.isBot) return this.removeBot(meetingId, target, caller);
    if (target.userId === caller.user.id) throw new TRPCError({ code: "BAD_REQUEST", message: "Use Leave to leave the meeting yourself." });
    await this.removeUser(meetingId, target.userId, caller.user.id);
    await this.deps.db.auditLog.create({
      data: { actorId: caller.user.id, action: "meeting.removeParticipant", targetType: "user", targetId: target.userId, data: { meetingId, peerId: targetPeerId }, ip: caller.ip },
    });
  }

  /** The host removes a bot: its owner's bots stay out of the meeting for a day (the owner, a person, stays in). */
  private async removeBot(meetingId: string, bot: Participant, caller: Caller): Promise<void> {
    await banBots(this.deps.redis, meetingId, bot.userId);
    this.append(meetingId, { type: "removed", message: BOTS_REMOVED }, bot.peerId);
    await this.depart(meetingId, bot.peerId, "removed");
    await this.deps.db.auditLog.create({
      data: { actorId: caller.user.id, action: "meeting.removeBot", targetType: "user", targetId: bot.userId, data: { meetingId, peerId: bot.peerId }, ip: caller.ip },
    });
  }

  /** Removal by the host or an admin: remembered first, then each of the person's participants is told and leaves. */
  async removeUser(meetingId: string, userId: string, removedById: string): Promise<void> {
    const live = this.meetings.get(meetingId);
    const theirs = [...(live?.participants.values() ?? [])].filter((p) => p.userId === userId);
    const target = theirs[0];
    if (!target) throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
    await rememberRemoval(this.deps, { meetingId, user: { id: userId, name: target.displayName, isGuest: target.isGuest }, removedById, ip: target.ip });
    for (const removed of theirs) {
      this.append(meetingId, { type: "removed", message: REMOVED_FROM_MEETING }, removed.peerId);
      await this.depart(meetingId, removed.peerId, "removed");
    }
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
    await endMeeting(this.deps.db, this.deps.redis, { meetingId, actorId: caller.user.id, ip: caller.ip });
  }

  /** After `media.lost`: the meeting's new router capabilities and everyone still here. */
  async reconnectMedia(meetingId: string, peerId: string, caller: Caller): Promise<ReconnectMediaResult> {
    const { live } = await this.participant(meetingId, peerId, caller);
    if (live.rebuilding) await live.rebuilding;
    return {
      routerRtpCapabilities: live.media?.rtpCapabilities ?? null,
      peers: [...live.participants.values()].map((p) => peerInfo(live, p)),
    };
  }

  /** The host changes when the meeting leaves P2P; the meeting adapts at once if it must. */
  async setMeshThreshold(meetingId: string, peerId: string, caller: Caller, meshThreshold: number): Promise<void> {
    const { live } = await this.host(meetingId, peerId, caller);
    await this.deps.db.meeting.update({ where: { id: meetingId }, data: { p2pMaxParticipants: meshThreshold } });
    await forgetCachedMeeting(this.deps.redis, meetingId).catch(logFailure("meeting: cached row not dropped (it expires with its TTL)", { meetingId }));
    live.meshThreshold = meshThreshold;
    live.meeting.p2pMaxParticipants = meshThreshold;
    if (live.mode === "P2P" && live.participants.size > meshThreshold) await this.meetingMedia.fitTopology(live);
    else this.meetingMedia.setMode(live, live.mode, `the host set the P2P limit to ${meshThreshold}`);
  }

  /** Relays a P2P negotiation message to one participant (across nodes: through the meeting's event log), while the mesh carries the media. */
  async signal(meetingId: string, peerId: string, caller: Caller, targetPeerId: string, signal: P2PSignal): Promise<void> {
    await this.participant(meetingId, peerId, caller);
    await relaySignal(this.deps.redis, meetingId, peerId, targetPeerId, signal);
  }

  /** "Listen together": everyone's player follows the last command (the host's, or anyone's when the host allows it). */
  async playback(meetingId: string, peerId: string, caller: Caller, state: PlaybackCommand): Promise<PlaybackState> {
    const { live, participant } = await this.participant(meetingId, peerId, caller);
    if (!participant.isHost && !live.playbackAllowed) throw new TRPCError({ code: "FORBIDDEN", message: PLAYBACK_HOST_ONLY });
    live.playback = { ...state, sentAt: new Date().toISOString(), byPeerId: peerId };
    this.append(meetingId, { type: "playback", playback: live.playback });
    return live.playback;
  }

  /** The host lets everyone share and control "Listen together", or takes it back. */
  async setPlaybackAllowed(meetingId: string, peerId: string, caller: Caller, allowed: boolean): Promise<void> {
    const { live } = await this.host(meetingId, peerId, caller);
    if (live.playbackAllowed === allowed) return;
    live.playbackAllowed = allowed;
    this.append(meetingId, { type: "playback.allowed", allowed });
  }

  /**
   * A socket closed: its participants stay for the grace window (nobody sees them leave, their media keeps
   * flowing) so that the client's reconnect resumes where it was; then they leave.
   */
  connectionClosed(meetingId: string, connectionId: string): void {
    const live = this.meetings.get(meetingId);
    for (const p of live?.participants.values() ?? []) if (p.connectionId === connectionId) this.startGrace(live!, p);
  }

  private startGrace(live: LiveMeeting, p: Participant): void {
    if (p.graceTimer) return;
    p.graceTimer = setTimeout(
      () =>
        void this.depart(live.meeting.id, p.peerId, "disconnected").catch(
          logFailure("meeting: a disconnected participant's departure failed (the meeting keeps them until it empties)", { meetingId: live.meeting.id, peerId: p.peerId }),
        ),
      env.RECONNECT_GRACE_MS,
    );
    p.graceTimer.unref();
  }

  /** Participants whose socket's node stopped answering (killed) get the grace window too. */
  async sweepDeadNodes(): Promise<void> {
    const nodes = new Set<string>();
    for (const live of this.meetings.values()) for (const p of live.participants.values()) if (p.nodeId !== this.deps.nodeId && !p.graceTimer) nodes.add(p.nodeId);
    for (const node of nodes) {
      if (await this.deps.probe.nodeAlive(node)) continue;
      for (const live of this.meetings.values()) for (const p of live.participants.values()) if (p.nodeId === node) this.startGrace(live, p);
    }
  }

  /** Whether the meeting's media lives on this node. */
  hosts(meetingId: string): boolean {
    return this.meetings.has(meetingId);
  }

  ownedMeetingIds(): string[] {
    return [...this.meetings.keys()];
  }

  /** Drain: the meeting as data, for another node to adopt. */
  snapshot(meetingId: string): MeetingSnapshot | null {
    const live = this.meetings.get(meetingId);
    if (!live) return null;
    return {
      meeting: live.meeting,
      participants: [...live.participants.values()].map(({ graceTimer: _timer, ...p }) => p),
      mode: live.mode,
      meshThreshold: live.meshThreshold,
      playback: live.playback,
      playbackAllowed: live.playbackAllowed,
    };
  }

  /** Drain, on the receiving node: the same meeting and participants with new media; clients are told to reconnect it. */
  async adopt(snapshot: MeetingSnapshot): Promise<void> {
    const media = await this.meetingMedia.createRoom(snapshot.meeting.id).catch(() => null);
    const participants = new Map(snapshot.participants.map((p) => [p.peerId, { ...p, graceTimer: null }]));
    const live = await this.track(snapshot.meeting, media, {
      mode: snapshot.mode,
      meshThreshold: snapshot.meshThreshold,
      playback: snapshot.playback,
      playbackAllowed: snapshot.playbackAllowed,
      participants,
    });
    if (live.media) for (const p of live.participants.values()) this.meetingMedia.attachPeer(live, p);
    this.meetings.set(snapshot.meeting.id, live);
    this.recordMesh(live);
  }

  /** Drain, on the leaving node: forget the meeting without anyone leaving (its new owner carries on). */
  release(meetingId: string): void {
    const live = this.meetings.get(meetingId);
    if (!live) return;
    this.meetings.delete(meetingId);
    live.stopWatchingEvents();
    if (live.quietTimer) clearTimeout(live.quietTimer);
    for (const p of live.participants.values()) if (p.graceTimer) clearTimeout(p.graceTimer);
    live.media?.close();
  }

  /** Meetings this node hosts, for health and metrics. */
  stats() {
    return [...this.meetings.values()].map((live) => ({
      meetingId: live.meeting.id,
      participants: live.participants.size,
      mode: live.mode,
      consumers: live.media?.consumerCount() ?? 0,
      transports: [...(live.media?.peers.values() ?? [])].reduce((sum, peer) => sum + peer.transportIds().length, 0),
      routers: live.media?.routerCount() ?? 0,
    }));
  }

  /** Node shutdown: everyone here leaves. */
  async closeAll(): Promise<void> {
    for (const live of [...this.meetings.values()]) {
      for (const peerId of [...live.participants.keys()]) await this.depart(live.meeting.id, peerId, "disconnected");
    }
  }

  private async open(meeting: MeetingMeta & { status: string }): Promise<LiveMeeting> {
    const existing = this.meetings.get(meeting.id);
    if (existing) return existing;
    let opening = this.opening.get(meeting.id);
    if (!opening) {
      opening = (async () => {
        const meta: MeetingMeta = {
          id: meeting.id,
          code: meeting.code,
          title: meeting.title,
          hostId: meeting.hostId,
          maxParticipants: meeting.maxParticipants,
          mode: meeting.mode,
          p2pMaxParticipants: meeting.p2pMaxParticipants,
        };
        // without a worker the meeting still opens: a small meeting runs P2P
        const media = await this.meetingMedia.createRoom(meeting.id).catch(() => null);
        const mode = meeting.p2pMaxParticipants > 0 ? "P2P" : "SFU";
        const live = await this.track(meta, media, { mode, meshThreshold: meeting.p2pMaxParticipants, playback: null, playbackAllowed: false, participants: new Map() });
        this.meetings.set(meeting.id, live);
        return live;
      })().finally(() => this.opening.delete(meeting.id));
      this.opening.set(meeting.id, opening);
    }
    return opening;
  }

  /** A live meeting whose media room and end this node watches. */
  private async track(
    meeting: MeetingMeta,
    media: MediaRoom | null,
    state: Pick<LiveMeeting, "mode" | "meshThreshold" | "playback" | "playbackAllowed" | "participants">,
  ): Promise<LiveMeeting> {
    const live: LiveMeeting = { meeting, media, ...state, quietTimer: null, rebuilding: null, stopWatchingEvents: () => {} };
    this.meetingMedia.watch(live);
    live.stopWatchingEvents = await this.watchEnd(meeting.id);
    return live;
  }

  /** The meeting may be ended elsewhere (the web app's meeting.end): everyone here leaves too. */
  private watchEnd(meetingId: string): Promise<() => void> {
    return this.deps.log.watch(meetingId, (type) => {
      const live = this.meetings.get(meetingId);
      if (type === "meeting.ended" && live) void this.close(live, "ENDED");
    });
  }

  private async close(live: LiveMeeting, status: "SCHEDULED" | "ENDED"): Promise<void> {
    const meetingId = live.meeting.id;
    this.meetings.delete(meetingId);
    live.stopWatchingEvents();
    const remaining = [...live.participants.values()];
    live.participants.clear();
    if (live.quietTimer) clearTimeout(live.quietTimer);
    live.media?.close();
    await Promise.allSettled([
      this.deps.redis.del(meetingKeys.presence(meetingId)),
      forgetMesh(this.deps.redis, meetingId),
      remaining.length ? this.deps.db.meetingParticipant.updateMany({ where: { id: { in: remaining.map((p) => p.participationId) } }, data: { leftAt: new Date() } }) : null,
      status === "SCHEDULED" ? this.deps.db.meeting.updateMany({ where: { id: meetingId, status: "LIVE" }, data: { status: "SCHEDULED" } }) : null,
    ]);
  }
}

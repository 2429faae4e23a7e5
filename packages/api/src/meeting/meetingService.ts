// Meetings across realtime nodes. Each meeting's media (participants and SFU router) lives on one node, its
// media owner (ownership.ts); a command on any other node is forwarded there over NodeRpc, and the answer comes
// back. Clients never know which node owns the media. Calls that only add an event to the meeting's log
// (P2P signals) skip that trip for participants this node knows (EdgeMembers).
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import type { Bus } from "../services/bus.ts";
import { NodeRpc, NodeUnreachable, runCommand, type CommandArgs, type CommandResult } from "../services/nodeRpc.ts";
import type { JoinResult, MediaArgs, MediaOperation, MediaOwnerCommands, MediaResult, PlaybackCommand, RealtimeNodeCommands } from "./commands.ts";
import { env } from "@qualmeet/config";
import { rememberAdmitted, requireAdmission } from "./admission.ts";
import { requireBotsAllowed, type BotJoin } from "./bots.ts";
import { EdgeMembers, type WatchMeeting } from "./edgeMembers.ts";
import { appendMeetingEvent } from "./eventLog.ts";
import type { P2PSignal } from "./events.ts";
import { endIdleMeetings, idleSweepInterval } from "./idleMeetings.ts";
import type { MediaOwner, NodeProbe } from "./mediaOwner.ts";
import { meetingByCode } from "./meetingRecords.ts";
import { relaySignal } from "./meshGate.ts";
import { MEDIA_MOVED_MESSAGE, MEETING_ENDED, notInMeeting } from "./messages.ts";
import { MediaOwnership } from "./ownership.ts";
import type { Caller, ConnectionRef } from "./participants.ts";
import { logFailure } from "@qualmeet/log";

const HEARTBEAT_MS = 10_000;
/** A join whose owner did not answer claims the meeting afresh, this many times. */
const JOIN_ATTEMPTS = 3;

/** Commands for a participant already in the meeting: forwarded to its owner as they are. */
type ParticipantCommands = Omit<MediaOwnerCommands, "join" | "adopt" | "connectionClosed" | "removeUser">;

export class MeetingService implements ParticipantCommands {
  readonly local: MediaOwner;
  private readonly rpc: NodeRpc<RealtimeNodeCommands>;
  private readonly ownership: MediaOwnership;
  /** the participants of this node's sockets, as their owners confirmed them */
  private readonly edge: EdgeMembers;
  /** this node's sockets and the meetings they joined, to tell the owners when a socket closes */
  private readonly joinedBy = new Map<string, Set<string>>();
  private readonly openConnections = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private idleSweep: NodeJS.Timeout | null = null;
  private draining = false;

  constructor(
    private readonly deps: {
      db: PrismaClient;
      redis: Redis;
      bus: Bus;
      nodeId: string;
      createLocal: (probe: NodeProbe) => MediaOwner;
      /** the meeting's events as they pass this node (MeetingEventLog.watch) */
      watchMeeting: WatchMeeting;
    },
  ) {
    this.rpc = new NodeRpc<RealtimeNodeCommands>(deps.bus, deps.nodeId);
    this.edge = new EdgeMembers(deps.watchMeeting);
    this.local = deps.createLocal({
      nodeAlive: (nodeId) => this.nodeAlive(nodeId),
      connectionOpen: (ref) => this.connectionOpen(ref),
    });
    this.ownership = new MediaOwnership({
      redis: deps.redis,
      nodeId: deps.nodeId,
      load: () => this.local.stats().reduce((sum, meeting) => sum + meeting.participants, 0),
      ownedMeetingIds: () => this.local.ownedMeetingIds(),
      draining: () => this.draining,
    });
  }

  async start(): Promise<void> {
    const local = this.local;
    // what other nodes may run here: this node's media owner, and questions about this node itself
    const served: RealtimeNodeCommands = {
      join: (...args) => local.join(...args),
      check: (...args) => local.check(...args),
      media: (...args) => local.media(...args),
      leave: (...args) => local.leave(...args),
      signal: (...args) => local.signal(...args),
      playback: (...args) => local.playback(...args),
      setPlaybackAllowed: (...args) => local.setPlaybackAllowed(...args),
      setMeshThreshold: (...args) => local.setMeshThreshold(...args),
      mute: (...args) => local.mute(...args),
      setMicMuted: (...args) => local.setMicMuted(...args),
      remove: (...args) => local.remove(...args),
      end: (...args) => local.end(...args),
      removeUser: (...args) => local.removeUser(...args),
      reconnectMedia: (...args) => local.reconnectMedia(...args),
      connectionClosed: (...args) => local.connectionClosed(...args),
      adopt: (...args) => local.adopt(...args),
      connectionOpen: (connectionId) => this.openConnections.has(connectionId),
      ping: () => true,
    };
    await this.rpc.start(served);
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(logFailure("meetings: ownership renewal failed (retried at the next beat)")), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.idleSweep = setInterval(
      () => void endIdleMeetings(this.deps, env.MEETING_IDLE_END_MS).catch(logFailure("meetings: idle sweep failed (retried at the next one)")),
      idleSweepInterval(env.MEETING_IDLE_END_MS),
    );
    this.idleSweep.unref();
  }

  // ---- sockets of this node

  connectionOpened(connectionId: string): void {
    this.openConnections.add(connectionId);
  }

  /** A socket of this node closed: the owners of its meetings start their grace window for it. */
  connectionClosed(connectionId: string): void {
    this.openConnections.delete(connectionId);
    this.edge.forgetConnection(connectionId);
    const meetings = this.joinedBy.get(connectionId);
    this.joinedBy.delete(connectionId);
    for (const meetingId of meetings ?? []) {
      // a meeting no node owns has nobody left to tell
      void this.ownerOf(meetingId)
        .then((owner) => (owner ? this.call(owner, meetingId, "connectionClosed", [meetingId, connectionId]) : undefined))
        .catch(logFailure("meetings: the media owner was not told a socket closed", { meetingId, connectionId }));
    }
  }

  private remember(connection: ConnectionRef, meetingId: string): void {
    let set = this.joinedBy.get(connection.connectionId);
    if (!set) this.joinedBy.set(connection.connectionId, (set = new Set()));
    set.add(meetingId);
  }

  // ---- commands (MediaOwnerCommands, run on the meeting's media owner)

  /** `bot`: the caller's bot joins (bots.ts); it passes the lobby and the lock as the caller would */
  async join(code: string, caller: Caller, bot?: BotJoin): Promise<JoinResult> {
    const meeting = await meetingByCode(this.deps.db, this.deps.redis, code);
    if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${code}.` });
    if (meeting.status === "ENDED") throw new TRPCError({ code: "PRECONDITION_FAILED", message: MEETING_ENDED });
    // removed, locked or behind the lobby: refused here, on any node, before the owner is asked
    await requireAdmission(this.deps.db, this.deps.redis, meeting.id, caller);
    if (bot) await requireBotsAllowed(this.deps.redis, meeting.id, caller.user.id);
    const result = await this.joinOnOwner(meeting.id, caller, bot);
    rememberAdmitted(this.deps.redis, meeting.id, caller.user.id);
    this.remember(caller.connection, meeting.id);
    this.edge.confirm(caller.connection.connectionId, meeting.id, result.self.peerId, caller.user);
    return result;
  }

  /** Joins on the meeting's owner; an owner that does not answer loses the meeting, and the join claims it afresh. */
  private async joinOnOwner(meetingId: string, caller: Caller, bot: BotJoin | undefined): Promise<JoinResult> {
    for (let attempt = 1; ; attempt++) {
      const owner = await this.ownership.ensureOwner(meetingId);
      try {
        return await this.call(owner, meetingId, "join", [meetingId, caller, bot]);
      } catch (error) {
        if (!(error instanceof NodeUnreachable)) throw error;
        if (attempt >= JOIN_ATTEMPTS) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The meeting's media server did not answer. Please try again." });
      }
    }
  }

  async check(meetingId: string, peerId: string, caller: Caller) {
    const result = await this.forwardAndConfirm(meetingId, peerId, caller, "check", [meetingId, peerId, caller]);
    // a socket that took over a participant (reconnect) now carries it
    this.remember(caller.connection, meetingId);
    return result;
  }

  /** A P2P signal for one other participant; refused when they are not in the meeting or it does not run on the mesh. */
  async signal(meetingId: string, peerId: string, caller: Caller, targetPeerId: string, signal: P2PSignal): Promise<void> {
    if (!this.edge.get(caller.connection.connectionId, meetingId, peerId, caller.user.id)) {
      return this.forwardAndConfirm(meetingId, peerId, caller, "signal", [meetingId, peerId, caller, targetPeerId, signal]);
    }
    await relaySignal(this.deps.redis, meetingId, peerId, targetPeerId, signal);
  }

  media<K extends MediaOperation>(meetingId: string, peerId: string, caller: Caller, operation: K, args: MediaArgs<K>): Promise<MediaResult<K>> {
    // the owner answers with the result of this operation (MediaOwner.media); the interface's erased form says "some operation's"
    return this.forward(meetingId, "media", [meetingId, peerId, caller, operation, args]) as Promise<MediaResult<K>>;
  }

  async leave(meetingId: string, peerId: string, caller: Caller): Promise<void> {
    await this.forward(meetingId, "leave", [meetingId, peerId, caller]);
    this.edge.forgetPeer(meetingId, peerId);
  }

  playback = (meetingId: string, peerId: string, caller: Caller, state: PlaybackCommand) => this.forward(meetingId, "playback", [meetingId, peerId, caller, state]);
  setPlaybackAllowed = (meetingId: string, peerId: string, caller: Caller, allowed: boolean) => this.forward(meetingId, "setPlaybackAllowed", [meetingId, peerId, caller, allowed]);
  setMeshThreshold = (meetingId: string, peerId: string, caller: Caller, n: number) => this.forward(meetingId, "setMeshThreshold", [meetingId, peerId, caller, n]);
  mute = (meetingId: string, peerId: string, caller: Caller, target: string) => this.forward(meetingId, "mute", [meetingId, peerId, caller, target]);
  setMicMuted = (meetingId: string, peerId: string, caller: Caller, muted: boolean) => this.forward(meetingId, "setMicMuted", [meetingId, peerId, caller, muted]);
  remove = (meetingId: string, peerId: string, caller: Caller, target: string) => this.forward(meetingId, "remove", [meetingId, peerId, caller, target]);
  end = (meetingId: string, peerId: string, caller: Caller) => this.forward(meetingId, "end", [meetingId, peerId, caller]);
  reconnectMedia = (meetingId: string, peerId: string, caller: Caller) => this.forward(meetingId, "reconnectMedia", [meetingId, peerId, caller]);

  /** A participant's command run by the owner, whose success confirms the participant to this node (EdgeMembers). */
  private async forwardAndConfirm<K extends keyof ParticipantCommands>(meetingId: string, peerId: string, caller: Caller, method: K, args: CommandArgs<MediaOwnerCommands, K>) {
    const result = await this.forward(meetingId, method, args);
    this.edge.confirm(caller.connection.connectionId, meetingId, peerId, caller.user);
    return result;
  }

  /** Runs a participant's command where the meeting's media lives; a meeting no node owns has nobody in it. */
  private async forward<K extends keyof ParticipantCommands>(
    meetingId: string,
    method: K,
    args: CommandArgs<MediaOwnerCommands, K>,
  ): Promise<CommandResult<MediaOwnerCommands, K>> {
    const owner = await this.ownerOf(meetingId);
    if (!owner) throw notInMeeting();
    try {
      return await this.call(owner, meetingId, method, args);
    } catch (error) {
      // the owner died without handing over: its meetings are gone, and so is the caller's participant
      if (error instanceof NodeUnreachable) throw notInMeeting();
      throw error;
    }
  }

  private ownerOf(meetingId: string): Promise<string | null> {
    // a meeting that lives here needs no lookup (this node renews its owner key itself); while draining, Redis
    // says when a meeting has moved
    return !this.draining && this.local.hosts(meetingId) ? Promise.resolve(this.deps.nodeId) : this.ownership.ownerOf(meetingId);
  }

  /** Runs a command on `owner` (here, or over NodeRpc); an owner that does not answer loses the meeting. */
  private async call<K extends keyof MediaOwnerCommands & string>(
    owner: string,
    meetingId: string,
    method: K,
    args: CommandArgs<MediaOwnerCommands, K>,
  ): Promise<CommandResult<MediaOwnerCommands, K>> {
    if (owner === this.deps.nodeId) return runCommand<MediaOwnerCommands, K>(this.local, method, args);
    try {
      return await this.rpc.call(owner, method, args as CommandArgs<RealtimeNodeCommands, K>);
    } catch (error) {
      if (error instanceof NodeUnreachable) await this.ownership.ownerLost(meetingId, owner);
      throw error;
    }
  }

  // ---- liveness

  private async beat(): Promise<void> {
    await this.ownership.renew();
    await this.local.sweepDeadNodes();
  }

  private async nodeAlive(nodeId: string): Promise<boolean> {
    if (nodeId === this.deps.nodeId) return true;
    return this.rpc.call(nodeId, "ping", [], 2000).catch(() => false);
  }

  private async connectionOpen(ref: ConnectionRef): Promise<boolean> {
    if (ref.nodeId === this.deps.nodeId) return this.openConnections.has(ref.connectionId);
    return this.rpc.call(ref.nodeId, "connectionOpen", [ref.connectionId], 1500).catch(() => false);
  }

  // ---- node drain (SIGTERM)

  /**
   * Hands every meeting this node owns to another live node: it adopts participants and state, becomes the
   * owner, and the clients are told to rebuild their media there. Returns how many meetings moved.
   */
  async handOver(): Promise<number> {
    this.draining = true;
    await this.beat().catch(logFailure("meetings: ownership renewal failed (retried at the next beat)"));
    let moved = 0;
    // nodes that answer now (a killed node's heartbeat key outlives it by up to 30 s)
    const candidates = [];
    for (const node of await this.ownership.liveNodes()) if (node !== this.deps.nodeId && (await this.nodeAlive(node))) candidates.push(node);
    let next = 0;
    for (const meetingId of this.local.ownedMeetingIds()) {
      const snapshot = this.local.snapshot(meetingId);
      if (!snapshot) continue;
      for (let attempt = 0; attempt < candidates.length; attempt++) {
        const target = candidates[next++ % candidates.length]!;
        try {
          await this.rpc.call(target, "adopt", [snapshot], 5000);
        } catch {
          continue;
        }
        await this.ownership.setOwner(meetingId, target);
        this.local.release(meetingId);
        await appendMeetingEvent(this.deps.redis, meetingId, { type: "media.lost", message: MEDIA_MOVED_MESSAGE });
        moved++;
        break;
      }
      // a meeting nobody could take: its participants leave when this node stops
    }
    return moved;
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.idleSweep) clearInterval(this.idleSweep);
    this.edge.close();
    // the meetings still here (not handed over) end with this node: nobody owns them any more
    const owned = this.local.ownedMeetingIds();
    await this.local.closeAll();
    await this.ownership.release(owned);
    this.rpc.stop();
  }
}

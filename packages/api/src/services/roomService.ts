// Meetings across realtime nodes. Each meeting's room (participants and SFU router) lives on one node, its
// media owner (`room:{id}:owner`, chosen by least load); a call on any other node is forwarded there over
// NodeRpc, and the answer comes back. Clients never know which node owns the media. Calls that only add an
// event to the room's log (chat, P2P signals) skip that trip for participants this node knows (EdgeMembers).
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { Meeting, PrismaClient } from "@qualmeet/db";
import type { Bus } from "./bus.ts";
import { MeetingRooms, TARGET_NOT_IN_MEETING, type Caller, type ConnectionRef, type MediaOp, type RoomSnapshot } from "./meetingRooms.ts";
import { EdgeMembers, type WatchRoom } from "./edgeMembers.ts";
import { NodeRpc, NodeUnreachable } from "./nodeRpc.ts";
import { appendRoomEvent, appendRoomEventForParticipant } from "./roomEventLog.ts";
import type { P2PSignal, PlaybackState } from "./roomEvents.ts";

const OWNER_TTL_S = 30;
const CACHE_TTL_S = 60;
const ownerKey = (meetingId: string) => `room:${meetingId}:owner`;
const loadKey = (nodeId: string) => `node:${nodeId}:load`;

export const MEDIA_MOVED_MESSAGE = "The meeting moved to another media server, reconnecting…";

type JoinResult = Awaited<ReturnType<MeetingRooms["join"]>>;

export class RoomService {
  readonly local: MeetingRooms;
  private readonly rpc: NodeRpc;
  /** the participants of this node's sockets, as their owners confirmed them */
  private readonly edge: EdgeMembers;
  /** this node's sockets and the meetings they joined, to tell the owners when a socket closes */
  private readonly joinedBy = new Map<string, Set<string>>();
  private readonly openConnections = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** nodes that failed to answer lately (a killed node's keys outlive it by up to 30 s): not chosen as owners */
  private readonly unreachable = new Map<string, number>();
  private draining = false;

  constructor(
    private readonly deps: {
      db: PrismaClient;
      redis: Redis;
      bus: Bus;
      nodeId: string;
      createLocal: (probe: ConstructorParameters<typeof MeetingRooms>[0]["probe"]) => MeetingRooms;
      /** the room's events as they pass this node (RoomEventLog.watch) */
      watchRoom: WatchRoom;
    },
  ) {
    this.rpc = new NodeRpc(deps.bus, deps.nodeId);
    this.edge = new EdgeMembers(deps.watchRoom);
    this.local = deps.createLocal({
      nodeAlive: (nodeId) => this.nodeAlive(nodeId),
      connectionOpen: (ref) => this.connectionOpen(ref),
    });
  }

  async start(): Promise<void> {
    const local = this.local;
    await this.rpc.start({
      join: (meetingId: string, caller: Caller) => local.join(meetingId, caller),
      check: (m: string, p: string, c: Caller) => local.check(m, p, c),
      media: (m: string, p: string, c: Caller, op: MediaOp) => local.media(m, p, c, op),
      chat: (m: string, p: string, c: Caller, text: string) => local.chat(m, p, c, text),
      leave: (m: string, p: string, c: Caller) => local.leave(m, p, c),
      signal: (m: string, p: string, c: Caller, t: string, s: P2PSignal) => local.signal(m, p, c, t, s),
      playback: (m: string, p: string, c: Caller, s: Omit<PlaybackState, "sentAt" | "byPeerId">) => local.playback(m, p, c, s),
      setMeshThreshold: (m: string, p: string, c: Caller, n: number) => local.setMeshThreshold(m, p, c, n),
      mute: (m: string, p: string, c: Caller, t: string) => local.mute(m, p, c, t),
      setMicMuted: (m: string, p: string, c: Caller, muted: boolean) => local.setMicMuted(m, p, c, muted),
      remove: (m: string, p: string, c: Caller, t: string) => local.remove(m, p, c, t),
      end: (m: string, p: string, c: Caller) => local.end(m, p, c),
      reconnectMedia: (m: string, p: string, c: Caller) => local.reconnectMedia(m, p, c),
      connectionClosed: (m: string, connectionId: string) => local.connectionClosed(m, connectionId),
      adopt: (snapshot: RoomSnapshot) => local.adopt(snapshot),
      connectionOpen: (connectionId: string) => this.openConnections.has(connectionId),
      ping: () => true,
    });
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), 10_000);
    this.heartbeat.unref();
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
    for (const meetingId of meetings ?? []) void this.forward(meetingId, "connectionClosed", [meetingId, connectionId]).catch(() => {});
  }

  private remember(connection: ConnectionRef, meetingId: string): void {
    let set = this.joinedBy.get(connection.connectionId);
    if (!set) this.joinedBy.set(connection.connectionId, (set = new Set()));
    set.add(meetingId);
  }

  // ---- commands (same names as MeetingRooms; routed to the media owner)

  async join(code: string, caller: Caller): Promise<JoinResult> {
    const meeting = await this.meetingByCode(code);
    if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${code}.` });
    if (meeting.status === "ENDED") throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting has ended." });
    const owner = await this.ensureOwner(meeting.id);
    const result = await this.call<JoinResult>(owner, meeting.id, "join", [meeting.id, caller], true);
    this.remember(caller.connection, meeting.id);
    this.edge.confirm(caller.connection.connectionId, meeting.id, result.self.peerId, caller.user);
    return result;
  }

  async check(meetingId: string, peerId: string, caller: Caller) {
    const result = await this.forwardAndConfirm<{ isHost: boolean }>(meetingId, peerId, caller, "check", [meetingId, peerId, caller]);
    // a socket that took over a participant (reconnect) now carries it
    this.remember(caller.connection, meetingId);
    return result;
  }

  /** A chat line for everyone in the room. */
  async chat(meetingId: string, peerId: string, caller: Caller, text: string): Promise<{ messageId: string }> {
    const member = this.edge.get(caller.connection.connectionId, meetingId, peerId, caller.user.id);
    if (!member) return this.forwardAndConfirm<{ messageId: string }>(meetingId, peerId, caller, "chat", [meetingId, peerId, caller, text]);
    const messageId = await appendRoomEvent(this.deps.redis, meetingId, { type: "chat", peerId, displayName: member.displayName, text, sentAt: new Date().toISOString() });
    return { messageId };
  }

  /** A P2P signal for one other participant; refused when they are not in the meeting. */
  async signal(meetingId: string, peerId: string, caller: Caller, targetPeerId: string, signal: P2PSignal): Promise<void> {
    if (!this.edge.get(caller.connection.connectionId, meetingId, peerId, caller.user.id)) {
      return this.forwardAndConfirm<void>(meetingId, peerId, caller, "signal", [meetingId, peerId, caller, targetPeerId, signal]);
    }
    const added = targetPeerId !== peerId && (await appendRoomEventForParticipant(this.deps.redis, meetingId, { type: "p2p.signal", fromPeerId: peerId, signal }, targetPeerId)) !== null;
    if (!added) throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
  }
  media = (meetingId: string, peerId: string, caller: Caller, op: MediaOp) => this.forward<unknown>(meetingId, "media", [meetingId, peerId, caller, op]);
  leave = async (meetingId: string, peerId: string, caller: Caller) => {
    await this.forward<void>(meetingId, "leave", [meetingId, peerId, caller]);
    this.edge.forgetPeer(meetingId, peerId);
  };
  playback = (meetingId: string, peerId: string, caller: Caller, state: Omit<PlaybackState, "sentAt" | "byPeerId">) =>
    this.forward<PlaybackState>(meetingId, "playback", [meetingId, peerId, caller, state]);
  setMeshThreshold = (meetingId: string, peerId: string, caller: Caller, n: number) => this.forward<void>(meetingId, "setMeshThreshold", [meetingId, peerId, caller, n]);
  mute = (meetingId: string, peerId: string, caller: Caller, target: string) => this.forward<void>(meetingId, "mute", [meetingId, peerId, caller, target]);
  setMicMuted = (meetingId: string, peerId: string, caller: Caller, muted: boolean) => this.forward<void>(meetingId, "setMicMuted", [meetingId, peerId, caller, muted]);
  remove = (meetingId: string, peerId: string, caller: Caller, target: string) => this.forward<void>(meetingId, "remove", [meetingId, peerId, caller, target]);
  end = (meetingId: string, peerId: string, caller: Caller) => this.forward<void>(meetingId, "end", [meetingId, peerId, caller]);
  reconnectMedia = (meetingId: string, peerId: string, caller: Caller) => this.forward<Awaited<ReturnType<MeetingRooms["reconnectMedia"]>>>(meetingId, "reconnectMedia", [meetingId, peerId, caller]);

  /** A participant's call run by the owner, whose success confirms the participant to this node (EdgeMembers). */
  private async forwardAndConfirm<T>(meetingId: string, peerId: string, caller: Caller, method: string, args: unknown[]): Promise<T> {
    const result = await this.forward<T>(meetingId, method, args);
    this.edge.confirm(caller.connection.connectionId, meetingId, peerId, caller.user);
    return result;
  }

  /** Runs a command where the meeting's room lives; a meeting no node owns has nobody in it. */
  private async forward<T>(meetingId: string, method: string, args: unknown[]): Promise<T> {
    // a room that lives here needs no lookup (this node renews its owner key itself); while draining, Redis
    // says when a room has moved
    const owner = !this.draining && this.local.hosts(meetingId) ? this.deps.nodeId : await this.deps.redis.get(ownerKey(meetingId));
    if (!owner) {
      if (method === "connectionClosed") return undefined as T;
      throw new TRPCError({ code: "FORBIDDEN", message: "You are not in this meeting (join it first)." });
    }
    return this.call<T>(owner, meetingId, method, args, false);
  }

  private async call<T>(owner: string, meetingId: string, method: string, args: unknown[], retryOnLoss: boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (owner === this.deps.nodeId) return await (this.local as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[method]!.apply(this.local, args);
        return await this.rpc.call<T>(owner, method, args);
      } catch (error) {
        if (!(error instanceof NodeUnreachable)) throw error;
        // the owner died without handing over: its rooms are gone; a join claims the meeting afresh
        this.unreachable.set(owner, Date.now() + OWNER_TTL_S * 1000);
        await this.deps.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, ownerKey(meetingId), owner);
        if (!retryOnLoss || attempt >= 2) throw new TRPCError({ code: retryOnLoss ? "SERVICE_UNAVAILABLE" : "FORBIDDEN", message: retryOnLoss ? "The meeting's media server did not answer. Please try again." : "You are not in this meeting (join it first)." });
        owner = await this.ensureOwner(meetingId);
      }
    }
  }

  // ---- ownership, load, liveness

  /** The meeting's media owner, claiming it for the least-loaded live node when nobody owns it. */
  private async ensureOwner(meetingId: string): Promise<string> {
    const current = await this.deps.redis.get(ownerKey(meetingId));
    if (current && (current === this.deps.nodeId || (!this.isUnreachable(current) && (await this.deps.redis.exists(`node:${current}:alive`))))) return current;
    if (current) await this.deps.redis.del(ownerKey(meetingId));
    const candidate = await this.leastLoadedNode();
    await this.deps.redis.set(ownerKey(meetingId), candidate, "EX", OWNER_TTL_S, "NX");
    return (await this.deps.redis.get(ownerKey(meetingId))) ?? candidate;
  }

  private async leastLoadedNode(): Promise<string> {
    if (this.draining) {
      const others = await this.liveNodes();
      const other = others.find((n) => n !== this.deps.nodeId);
      if (other) return other;
    }
    let best = this.deps.nodeId;
    let bestLoad = this.load();
    for (const node of await this.liveNodes()) {
      if (node === this.deps.nodeId) continue;
      const load = Number((await this.deps.redis.get(loadKey(node))) ?? Number.POSITIVE_INFINITY);
      if (load < bestLoad) {
        best = node;
        bestLoad = load;
      }
    }
    return best;
  }

  private async liveNodes(): Promise<string[]> {
    const nodes = (await this.deps.redis.smembers("nodes")).filter((n) => !this.isUnreachable(n));
    const alive = await Promise.all(nodes.map((n) => this.deps.redis.exists(`node:${n}:alive`)));
    return nodes.filter((_, i) => alive[i]);
  }

  private isUnreachable(nodeId: string): boolean {
    const until = this.unreachable.get(nodeId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.unreachable.delete(nodeId);
    return false;
  }

  /** Participants hosted here (what a new room would add to). */
  private load(): number {
    return this.local.stats().reduce((sum, room) => sum + room.participants, 0);
  }

  private async beat(): Promise<void> {
    const multi = this.deps.redis.multi().set(loadKey(this.deps.nodeId), String(this.draining ? 1e9 : this.load()), "EX", OWNER_TTL_S);
    for (const meetingId of this.local.ownedMeetingIds()) multi.set(ownerKey(meetingId), this.deps.nodeId, "EX", OWNER_TTL_S);
    await multi.exec();
    await this.local.sweepDeadNodes();
  }

  private async nodeAlive(nodeId: string): Promise<boolean> {
    if (nodeId === this.deps.nodeId) return true;
    return this.rpc.call<boolean>(nodeId, "ping", [], 2000).catch(() => false);
  }

  private async connectionOpen(ref: ConnectionRef): Promise<boolean> {
    if (ref.nodeId === this.deps.nodeId) return this.openConnections.has(ref.connectionId);
    return this.rpc.call<boolean>(ref.nodeId, "connectionOpen", [ref.connectionId], 1500).catch(() => false);
  }

  // ---- meeting metadata cache (`cache:room:{id}`, read-through from PostgreSQL)

  private async meetingByCode(code: string): Promise<Meeting | null> {
    const cachedId = await this.deps.redis.get(`cache:meeting-code:${code}`).catch(() => null);
    if (cachedId) {
      const cached = await this.deps.redis.get(`cache:room:${cachedId}`).catch(() => null);
      if (cached) return reviveMeeting(JSON.parse(cached) as Meeting);
    }
    const meeting = await this.deps.db.meeting.findUnique({ where: { code } });
    if (meeting) {
      await this.deps.redis
        .multi()
        .set(`cache:room:${meeting.id}`, JSON.stringify(meeting), "EX", CACHE_TTL_S)
        .set(`cache:meeting-code:${code}`, meeting.id, "EX", CACHE_TTL_S)
        .exec()
        .catch(() => {});
    }
    return meeting;
  }

  // ---- node drain (SIGTERM)

  /**
   * Hands every room this node owns to another live node: it adopts participants and state, becomes the owner,
   * and the clients are told to rebuild their media there. Returns how many rooms moved.
   */
  async handOver(): Promise<number> {
    this.draining = true;
    await this.beat().catch(() => {});
    let moved = 0;
    // nodes that answer now (a killed node's heartbeat key outlives it by up to 30 s)
    const candidates = [];
    for (const node of await this.liveNodes()) if (node !== this.deps.nodeId && (await this.nodeAlive(node))) candidates.push(node);
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
        await this.deps.redis.set(ownerKey(meetingId), target, "EX", OWNER_TTL_S);
        this.local.release(meetingId);
        await appendRoomEvent(this.deps.redis, meetingId, { type: "media.lost", message: MEDIA_MOVED_MESSAGE });
        moved++;
        break;
      }
      // a room nobody could take: its participants leave when this node stops
    }
    return moved;
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.edge.close();
    // the rooms still here (not handed over) end with this node: nobody owns them any more
    const owned = this.local.ownedMeetingIds();
    await this.local.close();
    for (const meetingId of owned) await this.deps.redis.del(ownerKey(meetingId)).catch(() => {});
    await this.deps.redis.del(loadKey(this.deps.nodeId)).catch(() => {});
    this.rpc.stop();
  }
}

function reviveMeeting(m: Meeting): Meeting {
  const date = (v: unknown) => (v ? new Date(v as string) : null);
  return { ...m, createdAt: new Date(m.createdAt), startedAt: date(m.startedAt), endedAt: date(m.endedAt) };
}

// Who is online, agreed by every realtime node through Redis.
//   node:{nodeId}:alive   string, TTL 30 s        the node's heartbeat
//   node:{nodeId}:users   hash userId -> name     users with at least one socket on that node
//   user:{userId}:node    string, TTL 30 s        the node that last saw the user's socket
//   nodes                 set of node ids         known nodes, swept when their heartbeat lapses
//   presence              pub/sub channel         "something changed": each node re-reads its snapshot once
import type { Redis } from "ioredis";
import type { Bus } from "./bus.ts";
import { PresenceFeed } from "./presenceFeed.ts";
import { logFailure } from "@qualmeet/log";

export const HEARTBEAT_MS = 10_000;
export const PRESENCE_TTL_S = 30;
const CHANNEL = "presence";
const NODES = "nodes";
const aliveKey = (nodeId: string) => `node:${nodeId}:alive`;
const nodeUsersKey = (nodeId: string) => `node:${nodeId}:users`;
const userNodeKey = (userId: string) => `user:${userId}:node`;

/** Whether the node's heartbeat is current (it lapses up to PRESENCE_TTL_S after the node dies). */
export async function isNodeAlive(redis: Redis, nodeId: string): Promise<boolean> {
  return (await redis.exists(aliveKey(nodeId))) === 1;
}

/** The known nodes whose heartbeat is current. */
export async function liveNodeIds(redis: Redis): Promise<string[]> {
  const nodes = await redis.smembers(NODES);
  const alive = await Promise.all(nodes.map((node) => redis.exists(aliveKey(node))));
  return nodes.filter((_, i) => alive[i]);
}

/** Online now: the user has a socket on a live realtime node (its heartbeat is current and lists the user). */
export async function onlineUsers(redis: Redis, userIds: string[]): Promise<Set<string>> {
  const online = new Set<string>();
  if (userIds.length === 0) return online;
  const nodes = await redis.mget(...userIds.map(userNodeKey));
  const pipeline = redis.pipeline();
  const asked: string[] = [];
  nodes.forEach((node, i) => {
    if (!node) return;
    asked.push(userIds[i]!);
    pipeline.exists(aliveKey(node)).hexists(nodeUsersKey(node), userIds[i]!);
  });
  if (asked.length === 0) return online;
  const replies = (await pipeline.exec()) ?? [];
  asked.forEach((userId, i) => {
    if (replies[2 * i]?.[1] === 1 && replies[2 * i + 1]?.[1] === 1) online.add(userId);
  });
  return online;
}

export interface OnlineUser {
  id: string;
  name: string;
  isGuest: boolean;
}

interface LocalEntry {
  user: OnlineUser;
  sockets: number;
}

export class PresenceRegistry {
  private readonly local = new Map<string, LocalEntry>();
  private heartbeat: NodeJS.Timeout | null = null;
  private stopFollowing: (() => void) | null = null;
  /** what presence.online subscribers on this node read: one snapshot for all of them */
  readonly feed = new PresenceFeed(() => this.snapshot());

  constructor(
    private readonly redis: Redis,
    private readonly bus: Bus,
    readonly nodeId: string,
  ) {}

  async start(): Promise<void> {
    this.stopFollowing = await this.bus.on(CHANNEL, () => this.feed.changed());
    await this.beat().catch(logFailure("presence: heartbeat failed (retried in 10 s; the node counts as dead after 30 s without one)"));
    this.heartbeat = setInterval(
      () => void this.beat().catch(logFailure("presence: heartbeat failed (retried in 10 s; the node counts as dead after 30 s without one)")),
      HEARTBEAT_MS,
    );
    this.heartbeat.unref();
  }

  /** Users with at least one socket on this node (for the counters). */
  get localUserCount(): number {
    return this.local.size;
  }

  /** A socket of `user` opened on this node. */
  async connect(user: OnlineUser): Promise<void> {
    const entry = this.local.get(user.id);
    if (entry) {
      entry.sockets++;
      return;
    }
    this.local.set(user.id, { user, sockets: 1 });
    await this.redis.multi().hset(nodeUsersKey(this.nodeId), user.id, JSON.stringify(user)).set(userNodeKey(user.id), this.nodeId, "EX", PRESENCE_TTL_S).exec();
    await this.bus.publish(CHANNEL, { userId: user.id, online: true });
  }

  /** A socket of `userId` closed on this node. */
  async disconnect(userId: string): Promise<void> {
    const entry = this.local.get(userId);
    if (!entry) return;
    if (--entry.sockets > 0) return;
    this.local.delete(userId);
    await this.redis.hdel(nodeUsersKey(this.nodeId), userId);
    await this.bus.publish(CHANNEL, { userId, online: false });
  }

  /** Everyone online on any live node. */
  async snapshot(): Promise<OnlineUser[]> {
    const nodes = await this.redis.smembers(NODES);
    const users = new Map<string, OnlineUser>();
    for (const node of nodes) {
      const [alive, entries] = await Promise.all([this.redis.exists(aliveKey(node)), this.redis.hgetall(nodeUsersKey(node))]);
      if (!alive) continue;
      for (const value of Object.values(entries)) {
        const user = JSON.parse(value) as OnlineUser;
        users.set(user.id, user);
      }
    }
    return [...users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** Heartbeat: renew this node's liveness, rewrite its users (Redis may have restarted), sweep dead nodes. */
  private async beat(): Promise<void> {
    const multi = this.redis.multi().set(aliveKey(this.nodeId), "1", "EX", PRESENCE_TTL_S).sadd(NODES, this.nodeId).del(nodeUsersKey(this.nodeId));
    for (const { user } of this.local.values()) {
      multi.hset(nodeUsersKey(this.nodeId), user.id, JSON.stringify(user)).set(userNodeKey(user.id), this.nodeId, "EX", PRESENCE_TTL_S);
    }
    await multi.exec();
    let swept = false;
    for (const node of await this.redis.smembers(NODES)) {
      if (node === this.nodeId || (await this.redis.exists(aliveKey(node)))) continue;
      await this.redis.multi().del(nodeUsersKey(node)).srem(NODES, node).exec();
      swept = true;
    }
    if (swept) await this.bus.publish(CHANNEL, { swept: true });
  }

  /** Leaves the registry: this node's users go offline for everyone else. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.stopFollowing?.();
    this.local.clear();
    await this.redis
      .multi()
      .del(nodeUsersKey(this.nodeId), aliveKey(this.nodeId))
      .srem(NODES, this.nodeId)
      .exec()
      .catch(logFailure("presence: this node's entries not removed on stop (the dead-node sweep removes them within 30 s)"));
    await this.bus.publish(CHANNEL, { nodeStopped: this.nodeId }).catch(logFailure("presence: stop not announced (the other nodes notice the missing heartbeat)"));
  }
}

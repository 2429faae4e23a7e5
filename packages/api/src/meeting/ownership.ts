// Which realtime node owns each meeting's media (`room:{id}:owner`, chosen by least load) and each node's load,
// renewed by the owner's heartbeat. A node that failed to answer lately is not chosen (a killed node's heartbeat
// outlives it by up to 30 s).
import type { Redis } from "ioredis";
import { isNodeAlive, liveNodeIds } from "../services/presence.ts";
import { meetingKeys } from "./keys.ts";
import { logFailure } from "@qualmeet/log";

export const OWNER_TTL_S = 30;

/** Deletes the owner key only while it still names the node that did not answer. */
const DELETE_IF_OWNER = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

export class MediaOwnership {
  /** nodes that failed to answer lately, until when they are skipped */
  private readonly unreachable = new Map<string, number>();

  constructor(
    private readonly deps: {
      redis: Redis;
      nodeId: string;
      /** participants in the meetings this node owns */
      load: () => number;
      ownedMeetingIds: () => string[];
      draining: () => boolean;
    },
  ) {}

  ownerOf(meetingId: string): Promise<string | null> {
    return this.deps.redis.get(meetingKeys.owner(meetingId));
  }

  /** The meeting's media owner, claiming it for the least-loaded live node when nobody owns it. */
  async ensureOwner(meetingId: string): Promise<string> {
    const { redis, nodeId } = this.deps;
    const key = meetingKeys.owner(meetingId);
    const current = await redis.get(key);
    if (current && (current === nodeId || (!this.isUnreachable(current) && (await isNodeAlive(redis, current))))) return current;
    if (current) await redis.del(key);
    const candidate = await this.leastLoadedNode();
    await redis.set(key, candidate, "EX", OWNER_TTL_S, "NX");
    return (await redis.get(key)) ?? candidate;
  }

  /** The owner did not answer: skipped for a while, and no longer the meeting's owner (its meetings are gone). */
  async ownerLost(meetingId: string, owner: string): Promise<void> {
    this.unreachable.set(owner, Date.now() + OWNER_TTL_S * 1000);
    await this.deps.redis.eval(DELETE_IF_OWNER, 1, meetingKeys.owner(meetingId), owner);
  }

  setOwner(meetingId: string, nodeId: string): Promise<unknown> {
    return this.deps.redis.set(meetingKeys.owner(meetingId), nodeId, "EX", OWNER_TTL_S);
  }

  /** Live nodes that did not fail to answer lately. */
  async liveNodes(): Promise<string[]> {
    return (await liveNodeIds(this.deps.redis)).filter((n) => !this.isUnreachable(n));
  }

  /** Heartbeat: this node's load, and its meetings stay its own. */
  async renew(): Promise<void> {
    const { redis, nodeId } = this.deps;
    const multi = redis.multi().set(meetingKeys.nodeLoad(nodeId), String(this.deps.draining() ? 1e9 : this.deps.load()), "EX", OWNER_TTL_S);
    for (const meetingId of this.deps.ownedMeetingIds()) multi.set(meetingKeys.owner(meetingId), nodeId, "EX", OWNER_TTL_S);
    await multi.exec();
  }

  /** Node stop: the meetings still here end with it, and it takes no new ones. */
  async release(meetingIds: string[]): Promise<void> {
    const { redis, nodeId } = this.deps;
    for (const meetingId of meetingIds)
      await redis.del(meetingKeys.owner(meetingId)).catch(logFailure("meeting ownership: owner key not released (it expires with its TTL)", { meetingId }));
    await redis.del(meetingKeys.nodeLoad(nodeId)).catch(logFailure("meeting ownership: node load not cleared (it expires with its TTL)", { nodeId }));
  }

  private async leastLoadedNode(): Promise<string> {
    const { redis, nodeId } = this.deps;
    if (this.deps.draining()) {
      const other = (await this.liveNodes()).find((n) => n !== nodeId);
      if (other) return other;
    }
    let best = nodeId;
    let bestLoad = this.deps.load();
    for (const node of await this.liveNodes()) {
      if (node === nodeId) continue;
      const load = Number((await redis.get(meetingKeys.nodeLoad(node))) ?? Number.POSITIVE_INFINITY);
      if (load < bestLoad) {
        best = node;
        bestLoad = load;
      }
    }
    return best;
  }

  private isUnreachable(nodeId: string): boolean {
    const until = this.unreachable.get(nodeId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.unreachable.delete(nodeId);
    return false;
  }
}

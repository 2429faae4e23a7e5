// RandomSafety (random/contract.ts): what moderation says about a Start or a Next, and whom a person must never be
// matched with. random/ calls it before it queues anyone; it needs PostgreSQL and Redis only.
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { blockedWith } from "../chat/blocks.ts";
import type { RandomPerson, RandomSafety, StartVerdict } from "../random/contract.ts";
import { addressBlock } from "../services/clientIp.ts";
import { consumeToken, scaled } from "../services/rateLimit.ts";
import { DEFAULT_POLICY, type SafetyPolicy } from "./policy.ts";
import { confirmedBan, mirroredState } from "./restrictions.ts";
import { addToWatchList, endPass, hasPass, isNextLoop, redeemSolution } from "./watchList.ts";

/** Blocks and reports read per person: a person who blocked or reported more than this many is kept from the newest. */
const NEVER_MATCH_ROWS = 1000;

export class RandomSafetyService implements RandomSafety {
  private readonly db: PrismaClient;
  private readonly redis: Redis;
  private readonly policy: SafetyPolicy;

  constructor({ db, redis, policy = DEFAULT_POLICY }: { db: PrismaClient; redis: Redis; policy?: SafetyPolicy }) {
    this.db = db;
    this.redis = redis;
    this.policy = policy;
  }

  /**
   * In order: the press's token buckets (address block, device), a ban (notice with reason, until and whether an
   * appeal waits), a hold, then the watch list: a Next loop puts the device on it (and ends a pass it had), and a
   * watched device or address goes through only with a pass or a fresh solution of its challenge.
   */
  async checkStart(person: RandomPerson, action: "start" | "next", challengeSolution?: string): Promise<StartVerdict> {
    const rules = this.policy.buckets[action];
    const [byAddress, byDevice] = await Promise.all([
      consumeToken(this.redis, scaled(rules.ip), addressBlock(person.ip)),
      consumeToken(this.redis, scaled(rules.device), person.deviceId),
    ]);
    if (!byAddress.allowed || !byDevice.allowed) return { kind: "rateLimited", retryAfterMs: Math.max(byAddress.retryAfterMs, byDevice.retryAfterMs) };

    const deps = { db: this.db, redis: this.redis };
    const state = await mirroredState(deps, person, this.policy.mirrorRefreshMs);
    const ban = await confirmedBan(deps, person, state.bans);
    if (ban) return { kind: "banned", ban };
    if (state.watches.some((watch) => watch.held)) return { kind: "held" };

    let watched = state.watches.length > 0;
    if (await isNextLoop(this.redis, person.deviceId, action, this.policy)) {
      const gapS = this.policy.nextLoopGapMs / 1000;
      await addToWatchList(deps, {
        kind: "device",
        value: person.deviceId,
        reason: `${this.policy.nextLoopCount} Nexts in a row, each within ${gapS} s of the press before`,
        held: false,
        forMs: this.policy.watchForMs,
      });
      await endPass(this.redis, person.deviceId);
      watched = true;
    } else if (watched && (await hasPass(this.redis, person.deviceId))) {
      return { kind: "allowed" };
    }
    if (!watched) return { kind: "allowed" };
    if (challengeSolution && (await redeemSolution(this.redis, person, challengeSolution, this.policy))) return { kind: "allowed" };
    return { kind: "challenge" };
  }

  /** The users and devices on the other side of every random-chat block and report involving this person's user or device. */
  async neverMatch(person: RandomPerson): Promise<{ userIds: string[]; deviceIds: string[] }> {
    const { userId, deviceId } = person;
    const [blocks, reports, accountBlocks] = await Promise.all([
      this.db.randomBlock.findMany({
        where: { OR: [{ blockerId: userId }, { blockedId: userId }, { blockerDeviceId: deviceId }, { blockedDeviceId: deviceId }] },
        select: { blockerId: true, blockedId: true, blockerDeviceId: true, blockedDeviceId: true },
        orderBy: { createdAt: "desc" },
        take: NEVER_MATCH_ROWS,
      }),
      this.db.report.findMany({
        where: { OR: [{ reporterId: userId }, { reportedUserId: userId }, { reporterDeviceId: deviceId }, { reportedDeviceId: deviceId }] },
        select: { reporterId: true, reportedUserId: true, reporterDeviceId: true, reportedDeviceId: true },
        orderBy: { createdAt: "desc" },
        take: NEVER_MATCH_ROWS,
      }),
      // a block between two accounts (chat, meetings) holds in random chat too
      blockedWith(this.redis, this.db, userId),
    ]);
    const pairs = [
      ...blocks.map((b) => ({ first: { userId: b.blockerId, deviceId: b.blockerDeviceId }, second: { userId: b.blockedId, deviceId: b.blockedDeviceId } })),
      ...reports.map((r) => ({ first: { userId: r.reporterId, deviceId: r.reporterDeviceId }, second: { userId: r.reportedUserId, deviceId: r.reportedDeviceId } })),
    ];
    const userIds = new Set<string>();
    const deviceIds = new Set<string>();
    for (const { first, second } of pairs) {
      const other = first.userId === userId || first.deviceId === deviceId ? second : first;
      userIds.add(other.userId);
      deviceIds.add(other.deviceId);
    }
    for (const other of accountBlocks) userIds.add(other);
    userIds.delete(userId);
    deviceIds.delete(deviceId);
    return { userIds: [...userIds], deviceIds: [...deviceIds] };
  }
}

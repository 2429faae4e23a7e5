// Every Redis key of moderation, in one place. PostgreSQL holds the record of bans and watch-list entries; these
// mirror the active ones so a Start is checked without a query, and are refilled from PostgreSQL when lost.
import type { BanKind } from "../random/contract.ts";

export type WatchKind = "device" | "ip";

/** string with TTL (none for a ban forever): JSON `MirroredBan` of the longest active ban on this user, device or address block */
export const banKey = (kind: BanKind, value: string) => `ban:${kind}:${value}`;

/** string with TTL: JSON `MirroredWatch` of the strongest active watch-list entry on this device or address block */
export const watchKey = (kind: WatchKind, value: string) => `watch:${kind}:${value}`;

/**
 * string, the epoch ms of the last fill: set once the mirror holds every active ban and watch entry. Its absence
 * (Redis restarted or flushed) makes the next check refill the mirror from PostgreSQL first, so a lost key never unbans.
 */
export const MIRROR_FILLED = "moderation:mirror:filled";

/** string with TTL: this device solved a challenge while watched; its Starts go through until it lapses */
export const passKey = (deviceId: string) => `moderation:pass:${deviceId}`;

/** hash { streak, lastAt }: consecutive Nexts of a device, each soon after the press before */
export const nextStreakKey = (deviceId: string) => `moderation:next:${deviceId}`;

/** pub/sub: a `ReportQueueEvent` whenever a report is filed or handled, for the admins' live queue (adminLive.reportQueue) */
export const REPORT_QUEUE_CHANNEL = "moderation:reportQueue";

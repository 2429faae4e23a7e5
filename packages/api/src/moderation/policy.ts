// The numbers of the random-chat safety rules. The defaults are the product's; a test or a benchmark that presses
// Next like a machine on purpose builds the service with its own.
import { scaledCount, type RateLimitRule } from "../services/rateLimit.ts";

export interface SafetyPolicy {
  /** token buckets per address block and per device, for Start and for Next */
  buckets: Record<"start" | "next", { ip: RateLimitRule; device: RateLimitRule }>;
  /** a Next this soon after the device's press before it is one a person could not have looked at the partner */
  nextLoopGapMs: number;
  /** that many such Nexts in a row put the device on the watch list */
  nextLoopCount: number;
  /** reports against one device within `watchWindowMs` that put it on the watch list */
  watchAfterReports: number;
  /** reports against one address (several devices: one person changing device ids, or many people) within `watchWindowMs` that put the address on it */
  watchAddressAfterReports: number;
  watchWindowMs: number;
  /** how long a watch-list entry lasts (Starts need a challenge meanwhile) */
  watchForMs: number;
  /** people reporting one device within `holdWindowMs` that hold it out of matching until a moderator reviews it */
  holdAfterReporters: number;
  holdWindowMs: number;
  /** how long a solved challenge lets a watched device Start and Next without another */
  passForMs: number;
  /** a call can be reported or blocked until this long after it ended */
  reportWindowMs: number;
  /** how old the mirror of bans and watch entries may grow before it is refilled from PostgreSQL (behind the answers) */
  mirrorRefreshMs: number;
}

const bucket = (scope: string, capacity: number, windowMs: number): RateLimitRule => ({ scope, capacity, windowMs });

export const DEFAULT_POLICY: SafetyPolicy = {
  buckets: {
    // an office or a school behind one address holds many people: the address buckets are wider than a device's
    start: { ip: bucket("random:start:ip", 120, 60_000), device: bucket("random:start:device", 20, 60_000) },
    next: { ip: bucket("random:next:ip", 600, 60_000), device: bucket("random:next:device", 60, 60_000) },
  },
  nextLoopGapMs: 2_000,
  // a load test pressing Next like a machine on purpose raises it with every other limit (RATE_LIMIT_SCALE)
  nextLoopCount: scaledCount(8),
  watchAfterReports: 3,
  watchAddressAfterReports: 6,
  watchWindowMs: 60 * 60_000,
  watchForMs: 24 * 60 * 60_000,
  holdAfterReporters: 5,
  holdWindowMs: 15 * 60_000,
  passForMs: 10 * 60_000,
  reportWindowMs: 24 * 60 * 60_000,
  mirrorRefreshMs: 10 * 60_000,
};

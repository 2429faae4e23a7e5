// Random chat's match latency: how long each person of a match searched. One function records it in the node's
// histogram (exported for monitoring) and in per-minute bucket counts in Redis, which the dashboard sums over the
// last 15 minutes across every node.
import type { Redis } from "ioredis";
import { Histogram, type Registry } from "prom-client";
import { logger } from "@qualmeet/log";
import { MATCH_WAIT_WINDOW_MINUTES, metricsKeys } from "./keys.ts";

/** Upper bounds of the buckets, in seconds (the last bucket, +Inf, takes the rest). */
export const MATCH_WAIT_BUCKETS_S = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const INF = "+Inf";
const SUM_FIELD = "sum";

export interface MatchWaitHistogram {
  /** per bucket: its upper bound in seconds (null: +Inf) and how many waits fell in it (not cumulative) */
  buckets: { le: number | null; count: number }[];
  count: number;
  sumSeconds: number;
}

/** The bucket a wait falls in, named by its upper bound as Prometheus names it ("0.5", ..., "+Inf"). */
export function bucketOf(seconds: number): string {
  const bound = MATCH_WAIT_BUCKETS_S.find((le) => seconds <= le);
  return bound === undefined ? INF : String(bound);
}

export class MatchWaitRecorder {
  private readonly histogram: Histogram;

  constructor(
    registry: Registry,
    private readonly redis: Redis,
  ) {
    this.histogram = new Histogram({
      name: "qualmeet_random_match_wait_seconds",
      help: "How long each person of a random chat match searched before it was made",
      buckets: MATCH_WAIT_BUCKETS_S,
      registers: [registry],
    });
  }

  /** The waits (ms) of the people of one match made on this node. */
  record(waitsMs: number[], now = Date.now()): void {
    const key = metricsKeys.matchWaitMinute(Math.floor(now / 60_000));
    const multi = this.redis.multi();
    for (const ms of waitsMs) {
      if (!Number.isFinite(ms) || ms < 0) continue;
      this.histogram.observe(ms / 1000);
      multi.hincrby(key, bucketOf(ms / 1000), 1).hincrby(key, SUM_FIELD, Math.round(ms));
    }
    multi.pexpire(key, (MATCH_WAIT_WINDOW_MINUTES + 1) * 60_000);
    // the dashboard's window misses these waits; the node's own histogram has them
    multi.exec().catch((err: unknown) => logger.warn({ err, waitsMs }, "metrics: match waits not added to the dashboard's window"));
  }
}

/** The match waits of the last 15 minutes (this one included), from every node. */
export async function readMatchWaits(redis: Redis, now = Date.now()): Promise<MatchWaitHistogram> {
  const minute = Math.floor(now / 60_000);
  const pipeline = redis.pipeline();
  for (let i = 0; i < MATCH_WAIT_WINDOW_MINUTES; i++) pipeline.hgetall(metricsKeys.matchWaitMinute(minute - i));
  const minutes = ((await pipeline.exec()) ?? []).map(([err, fields]) => (err ? {} : (fields as Record<string, string>)));
  return sumMinutes(minutes);
}

/** Adds up per-minute bucket counts (as stored in Redis). */
export function sumMinutes(minutes: Record<string, string>[]): MatchWaitHistogram {
  const total = (field: string) => minutes.reduce((sum, fields) => sum + Number(fields[field] ?? 0), 0);
  const buckets = [...MATCH_WAIT_BUCKETS_S.map((le) => ({ le: le as number | null, count: total(String(le)) })), { le: null, count: total(INF) }];
  return { buckets, count: buckets.reduce((sum, b) => sum + b.count, 0), sumSeconds: total(SUM_FIELD) / 1000 };
}

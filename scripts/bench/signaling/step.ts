// One paced step of sends on all client threads, its deliveries merged into latency percentiles and rates.
import type { ClientThreads } from "./clientThreads.ts";
import { cpuPct, cpuSnapshot, type CpuGroups } from "./cpu.ts";
import { DRAIN_MS, log, MAX_DRAIN_MS, MIN_RATIO, P99_MS, round } from "./options.ts";
import { HIST_BUCKETS, histBucketUpperMs, type StepStats } from "./protocol.ts";

export function mergeStats(list: StepStats[]): StepStats {
  const out: StepStats = {
    step: list[0]?.step ?? 0,
    sent: 0,
    expected: 0,
    delivered: 0,
    outOfOrder: 0,
    sendErrors: 0,
    errorSamples: [],
    hist: new Uint32Array(HIST_BUCKETS),
    maxMs: 0,
    sendMs: 0,
  };
  for (const s of list) {
    out.sent += s.sent;
    out.expected += s.expected;
    out.delivered += s.delivered;
    out.outOfOrder += s.outOfOrder;
    out.sendErrors += s.sendErrors;
    out.errorSamples.push(...s.errorSamples);
    out.maxMs = Math.max(out.maxMs, s.maxMs);
    out.sendMs = Math.max(out.sendMs, s.sendMs);
    for (let i = 0; i < HIST_BUCKETS; i++) out.hist[i]! += s.hist[i]!;
  }
  return out;
}

export function percentile(hist: Uint32Array, total: number, p: number, maxMs: number): number {
  if (total === 0) return 0;
  const rank = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    // the bucket's upper edge (the overflow bucket: the largest latency seen)
    if (seen >= rank) return Math.min(maxMs, histBucketUpperMs(i));
  }
  return maxMs;
}

export interface StepResult {
  interval_ms: number;
  seconds: number;
  target_sends_per_s: number;
  sends_per_s: number;
  delivered_per_s: number;
  sent: number;
  expected: number;
  delivered: number;
  delivered_ratio: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  send_errors: number;
  out_of_order: number;
  /** how long the deliveries took to arrive after the last send */
  drain_s: number;
  cpu_pct: ReturnType<typeof cpuPct>;
  held: boolean;
  error_samples?: string[];
}

let stepCounter = 0;
/** A new step number: the client threads keep each step's statistics apart by it. */
export const nextStep = (): number => ++stepCounter;

/** One paced step on all threads: sends for `seconds`, then waits up to DRAIN_MS for the deliveries. */
export async function runStep(threads: ClientThreads, readyClients: number, intervalMs: number, seconds: number, cpu: CpuGroups, label: string): Promise<StepResult> {
  const step = nextStep();
  const before = cpuSnapshot(cpu);
  await threads.ask({ type: "run", step, intervalMs, durationMs: seconds * 1000 });
  const after = cpuSnapshot(cpu);
  // wait for the deliveries still on their way: until all arrived, or none arrived for DRAIN_MS (late ones
  // count in the latency, the ones that never come as lost), or MAX_DRAIN_MS
  const drainStart = performance.now();
  let lastProgress = drainStart;
  let lastDelivered = -1;
  let merged: StepStats;
  for (;;) {
    const replies = await threads.ask({ type: "collect", step });
    merged = mergeStats(replies.flatMap((r) => (r.type === "stats" ? [r.stats] : [])));
    const now = performance.now();
    if (merged.delivered > lastDelivered) {
      lastDelivered = merged.delivered;
      lastProgress = now;
    }
    if (merged.delivered >= merged.expected || now - lastProgress >= DRAIN_MS || now - drainStart >= MAX_DRAIN_MS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ratio = merged.expected > 0 ? merged.delivered / merged.expected : 0;
  const p99 = percentile(merged.hist, merged.delivered, 0.99, merged.maxMs);
  const result: StepResult = {
    interval_ms: round(intervalMs, 2),
    seconds,
    target_sends_per_s: round((readyClients * 1000) / intervalMs),
    sends_per_s: round(merged.sent / seconds),
    delivered_per_s: round(merged.delivered / seconds),
    sent: merged.sent,
    expected: merged.expected,
    delivered: merged.delivered,
    delivered_ratio: round(ratio, 6),
    p50_ms: round(percentile(merged.hist, merged.delivered, 0.5, merged.maxMs), 2),
    p95_ms: round(percentile(merged.hist, merged.delivered, 0.95, merged.maxMs), 2),
    p99_ms: round(p99, 2),
    max_ms: round(merged.maxMs, 2),
    send_errors: merged.sendErrors,
    out_of_order: merged.outOfOrder,
    drain_s: round((lastProgress - drainStart) / 1000),
    cpu_pct: cpuPct(before, after),
    held: p99 <= P99_MS && ratio >= MIN_RATIO && merged.delivered > 0,
  };
  if (merged.errorSamples.length) result.error_samples = [...new Set(merged.errorSamples)].slice(0, 5);
  log(
    `${label} interval=${result.interval_ms}ms sends/s=${result.sends_per_s} delivered/s=${result.delivered_per_s} ratio=${result.delivered_ratio} ` +
      `p50=${result.p50_ms} p95=${result.p95_ms} p99=${result.p99_ms} max=${result.max_ms}ms errors=${result.send_errors} ` +
      `cpu nodes=${result.cpu_pct.nodes}% redis=${result.cpu_pct.redis}% pg=${result.cpu_pct.postgres}% clients=${result.cpu_pct.clients}% others=${result.cpu_pct.others}% -> ${result.held ? "held" : "FAILED"}` +
      (result.error_samples ? ` (${result.error_samples.join(" | ")})` : ""),
  );
  return result;
}

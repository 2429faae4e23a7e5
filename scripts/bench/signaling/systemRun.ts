// One system under test (QualMeet or the Socket.IO baseline) through both phases, and the alternation of systems.
import { CapacitySearch } from "./capacitySearch.ts";
import { ClientThreads } from "./clientThreads.ts";
import { cpuPct, cpuSnapshot, type CpuGroups } from "./cpu.ts";
import { BASE_INTERVAL, log, RETRIES, round, SECONDS, STEP_SECONDS, THREADS, WARMUP_SECONDS } from "./options.ts";
import type { ClientSpec, MeetingSpec, System } from "./protocol.ts";
import { runStep, type StepResult } from "./step.ts";

export interface SystemResult {
  clients: number;
  media_workers_rss_mb?: number;
  connected: number;
  connect_failures: number;
  connect_errors?: string[];
  connect_s: number;
  /** the servers' CPU with every client connected and no traffic (100 = one core) */
  idle_cpu_pct: number | null;
  delivered_ratio: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  sent: number;
  delivered: number;
  send_errors: number;
  phase1_cpu_pct: StepResult["cpu_pct"];
  capacity_msgs_per_s: number;
  capacity_sends_per_s: number;
  capacity_interval_ms: number | null;
  capacity_stopped_by: string;
  capacity_steps: StepResult[];
  rss_mb: number;
  /** with every client connected, before any traffic */
  rss_mb_idle: number;
  rss_mb_peak: number;
  phase1_error_samples?: string[];
}

/** One system under test: its servers' processes, its clients (connected), its results so far. */
export class SystemRun {
  readonly threads: ClientThreads;
  connected = 0;
  failed = 0;
  errors: string[] = [];
  connectS = 0;
  idleCpu: ReturnType<typeof cpuPct> | null = null;
  phase1: StepResult | null = null;
  rssSteady = 0;
  rssIdle = 0;
  extraSteady: Record<string, number> = {};
  peak = 0;
  search: CapacitySearch | null = null;
  private readonly sampler: NodeJS.Timeout;

  constructor(
    readonly system: System,
    origin: string,
    readonly clients: ClientSpec[],
    meetings: MeetingSpec[],
    readonly cpu: CpuGroups,
    readonly rss: () => number,
    /** more memory figures to read at the end of phase 1 */
    readonly extraRss: () => Record<string, number> = () => ({}),
  ) {
    this.threads = ClientThreads.create(system, origin, clients, meetings, THREADS);
    this.sampler = setInterval(() => (this.peak = Math.max(this.peak, rss())), 1000);
  }

  async connect(): Promise<void> {
    log(`${this.system}: connecting ${this.clients.length} clients (join + subscribe) in ${THREADS} thread(s)`);
    const connectStart = performance.now();
    const replies = await this.threads.ask({ type: "connect" });
    this.connected = replies.reduce((n, r) => n + (r.type === "connected" ? r.ok : 0), 0);
    this.failed = replies.reduce((n, r) => n + (r.type === "connected" ? r.failed : 0), 0);
    this.errors = replies.flatMap((r) => (r.type === "connected" ? r.errors : []));
    this.connectS = round((performance.now() - connectStart) / 1000);
    log(`${this.system}: ${this.connected} connected, ${this.failed} failed in ${this.connectS}s${this.errors.length ? `: ${this.errors.slice(0, 3).join(" | ")}` : ""}`);
    if (this.connected === 0) throw new Error(`${this.system}: no client could connect: ${this.errors.join(" | ")}`);
    // what the servers use with everyone connected and nobody talking
    await new Promise((r) => setTimeout(r, 2000));
    const before = cpuSnapshot(this.cpu);
    await new Promise((r) => setTimeout(r, 5000));
    this.idleCpu = cpuPct(before, cpuSnapshot(this.cpu));
    this.rssIdle = this.rss();
    log(`${this.system}: idle with ${this.connected} clients: servers ${this.idleCpu.nodes}% CPU (others on the machine ${this.idleCpu.others}%)`);
  }

  step(intervalMs: number, seconds: number, label: string): Promise<StepResult> {
    return runStep(this.threads, this.connected, intervalMs, seconds, this.cpu, `${this.system} ${label}`);
  }

  async runPhase1(): Promise<void> {
    // not measured: the first seconds of traffic on fresh processes are slower (JIT, first allocations)
    if (WARMUP_SECONDS > 0) await this.step(BASE_INTERVAL, WARMUP_SECONDS, "warm-up (not counted):");
    log(`${this.system}: phase 1, every client sends every ${BASE_INTERVAL} ms for ${SECONDS}s`);
    this.phase1 = await this.step(BASE_INTERVAL, SECONDS, "phase 1:");
    this.rssSteady = this.rss();
    this.extraSteady = this.extraRss();
    this.peak = Math.max(this.peak, this.rssSteady);
    this.search = new CapacitySearch(this.phase1.held);
  }

  /** Runs the next step of the capacity search; false when the search is over. */
  async capacityStep(): Promise<boolean> {
    const interval = this.search!.next();
    if (interval === null) return false;
    const refining = this.search!.lo !== null && this.search!.hi !== null;
    let result = await this.step(interval, STEP_SECONDS, refining ? "phase 2 (refine):" : "phase 2:");
    for (let retry = 1; !result.held && retry <= RETRIES; retry++) {
      this.search!.steps.push(result);
      result = await this.step(interval, STEP_SECONDS, `phase 2 (the same rate again, ${retry} of ${RETRIES}):`);
    }
    this.search!.record(interval, result);
    return true;
  }

  result(): SystemResult {
    const phase1 = this.phase1!;
    const search = this.search!;
    const candidates = [...(phase1.held ? [phase1] : []), ...search.steps.filter((s) => s.held)];
    const best = candidates.reduce<StepResult | null>((a, b) => (a === null || b.delivered_per_s > a.delivered_per_s ? b : a), null);
    return {
      clients: this.clients.length,
      connected: this.connected,
      connect_failures: this.failed,
      ...(this.errors.length ? { connect_errors: this.errors.slice(0, 5) } : {}),
      connect_s: this.connectS,
      idle_cpu_pct: this.idleCpu?.nodes ?? null,
      delivered_ratio: phase1.delivered_ratio,
      p50_ms: phase1.p50_ms,
      p95_ms: phase1.p95_ms,
      p99_ms: phase1.p99_ms,
      max_ms: phase1.max_ms,
      sent: phase1.sent,
      delivered: phase1.delivered,
      send_errors: phase1.send_errors,
      phase1_cpu_pct: phase1.cpu_pct,
      capacity_msgs_per_s: best?.delivered_per_s ?? 0,
      capacity_sends_per_s: best?.sends_per_s ?? 0,
      capacity_interval_ms: best?.interval_ms ?? null,
      capacity_stopped_by: search.stoppedBy,
      capacity_steps: search.steps,
      rss_mb: round(this.rssSteady),
      rss_mb_idle: round(this.rssIdle),
      rss_mb_peak: round(this.peak),
      ...this.extraSteady,
      ...(phase1.error_samples ? { phase1_error_samples: phase1.error_samples } : {}),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.sampler);
    await this.threads.close();
  }
}

/**
 * Phase 1 of each system in turn, then their capacity searches step by step in alternation, so that both
 * meet the same conditions on this machine (which others may share) as far as possible.
 */
export async function runSystems(runs: SystemRun[]): Promise<void> {
  for (const run of runs) await run.connect();
  for (const run of runs) await run.runPhase1();
  let active = [...runs];
  while (active.length > 0) {
    const still: SystemRun[] = [];
    for (const run of active) {
      await new Promise((r) => setTimeout(r, 1000));
      if (await run.capacityStep()) still.push(run);
    }
    active = still;
  }
}

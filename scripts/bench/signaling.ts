// Signaling benchmark: N simulated meeting clients over real WebSockets with real session cookies, split
// over 2 realtime nodes, in meetings of 10. Each client sends a message (a shared link, `room.playback`, run by
// the meeting's media owner) and everyone in the meeting gets it through their `room.events` subscription
// (tracked events through Redis).
//   phase 1 (steady):   every client sends once a second for --seconds; latency send -> delivery and
//                       delivery ratio
//   phase 2 (capacity): the per-client send interval halves every --step-seconds (1000 -> 500 -> 250 ms
//                       ...) until p99 > --p99-ms or delivery < --min-ratio, then --refine steps bisect
//                       (geometrically) between the last rate that held and the first that did not; the
//                       capacity is the delivered messages/s of the fastest step that held; a step that fails
//                       is run --retries more times before its rate counts as failed (on 2 shared cores one
//                       scheduling hiccup can push a step's p99 over the limit; both systems get the same retries)
// The same two phases run against a baseline in the same run: 2 plain Socket.IO processes on one Redis
// (@socket.io/redis-adapter) broadcasting the chat to a room of 10 (scripts/bench/signaling/socketio-server.ts).
//
//   npm run bench:signaling
//   npm run bench:signaling -- --clients 200 --seconds 10 --step-seconds 5    (a quick run)
//   other flags: --warmup 5 --meeting-size 10 --threads 2 --accounts N (default: one per client) --refine 4
//                --retries 1 --max-steps 10 --cross-node auto|on|off --media-workers 1 --no-baseline
//                --drain-ms 3000 (after a step's sends: wait until every delivery arrived, or none for this long;
//                at most 60 s; late deliveries count in the latency, the ones that never came as lost)
//                --profile DIR (V8 CPU profiles of the servers, DIR/qualmeet and DIR/socketio, written when they stop)
//
// Delivery: a chat event is expected at every member of the meeting, the sender included (both systems echo
// it to the sender), so expected = sent x members; a message whose send failed counts as lost. Latency is
// measured per delivery with one clock: a meeting's members all live in one client thread, which stamps the
// send time (performance.now()) into the text. The clients (package `ws` speaking each server's wire format,
// no client library) run in --threads worker threads of this process, on the same 2 cores as the servers.
// Everything (PostgreSQL, Redis, the web app for the sign-ins, the nodes) is started here on free ports and
// stopped at the end, also on errors and Ctrl-C. Progress goes to stderr; the last line of stdout is one
// JSON object with the results.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { applyMigrations } from "../../packages/db/src/migrate.ts";
import { hashPassword } from "../../packages/api/src/services/password.ts";
import { MEETING_CODE_ALPHABET } from "../../packages/api/src/schemas.ts";
import { signIn } from "../../tests/harness/clients.ts";
import { freePort } from "../lib/ports.ts";
import { benchCleanup } from "./cleanup.ts";
import { startPostgres, type PostgresServer } from "../lib/postgres.ts";
import { spawnTsServer, waitForHttp, type ManagedProcess } from "../lib/processes.ts";
import { startRedis } from "../lib/redis.ts";
import { buildWeb } from "../lib/webBuild.ts";
import { HIST_BUCKETS, histBucketUpperMs, type ClientSpec, type MeetingSpec, type StepStats, type System, type ThreadInit, type ThreadReply, type ThreadRequest } from "./signaling/protocol.ts";
import { CLK_TCK, procCpuMs, procRssMb } from "./procStats.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    "meeting-size": { type: "string", default: "10" },
    seconds: { type: "string", default: "60" },
    "step-seconds": { type: "string", default: "10" },
    warmup: { type: "string", default: "5" },
    "interval-ms": { type: "string", default: "1000" },
    threads: { type: "string", default: "2" },
    accounts: { type: "string" },
    "signin-concurrency": { type: "string", default: "6" },
    "p99-ms": { type: "string", default: "50" },
    "min-ratio": { type: "string", default: "0.9999" },
    refine: { type: "string", default: "4" },
    "max-steps": { type: "string", default: "10" },
    retries: { type: "string", default: "1" },
    "drain-ms": { type: "string", default: "3000" },
    "cross-node": { type: "string", default: "auto" },
    "media-workers": { type: "string", default: "1" },
    "no-baseline": { type: "boolean", default: false },
    profile: { type: "string" },
  },
});

function num(name: keyof typeof args, min: number, integer = true): number {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    console.error(`--${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got ${args[name]}`);
    process.exit(2);
  }
  return value;
}

const CLIENTS = num("clients", 2);
const MEETING_SIZE = num("meeting-size", 2);
const SECONDS = num("seconds", 1);
const STEP_SECONDS = num("step-seconds", 1);
const WARMUP_SECONDS = num("warmup", 0);
const BASE_INTERVAL = num("interval-ms", 1, false);
const THREADS = num("threads", 1);
const ACCOUNTS = Math.min(CLIENTS, args.accounts === undefined ? CLIENTS : num("accounts", 2));
const SIGNIN_CONCURRENCY = num("signin-concurrency", 1);
const P99_MS = num("p99-ms", 0, false);
const MIN_RATIO = num("min-ratio", 0, false);
const REFINE = num("refine", 0);
const MAX_STEPS = num("max-steps", 1);
const RETRIES = num("retries", 0);
const DRAIN_MS = num("drain-ms", 0);
const MAX_DRAIN_MS = 60_000;
const MEDIA_WORKERS = num("media-workers", 1);
const CROSS_NODE = String(args["cross-node"]);
if (!["auto", "on", "off"].includes(CROSS_NODE)) {
  console.error(`--cross-node is auto, on or off, got ${CROSS_NODE}`);
  process.exit(2);
}
const NODES = 2;

/** NODE_OPTIONS that make a server write its V8 CPU profile into --profile DIR/<system> when it stops. */
function profileEnv(system: "qualmeet" | "socketio"): Record<string, string> {
  if (!args.profile) return {};
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${path.resolve(args.profile, system)}`.trim() };
}
const MEETINGS = Math.ceil(CLIENTS / MEETING_SIZE);

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench:signaling ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

// ---------------------------------------------------------------------------------------------------
// clean-up of everything started here, also on errors and Ctrl-C

const { onCleanup, run } = benchCleanup(log);

// ---------------------------------------------------------------------------------------------------
// /proc

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

interface CpuGroups {
  nodes: number[];
  redis: number[];
  postgres: () => number[];
}
/** CPU time (ms) of the whole machine, all cores (busy = everything but idle and iowait). */
function machineBusyMs(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLK_TCK;
}

type CpuSnapshot = { at: number; nodes: number; redis: number; postgres: number; clients: number; machine: number };
function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const sum = (pids: number[]) => pids.reduce((n, pid) => n + procCpuMs(pid), 0);
  const own = process.cpuUsage();
  return { at: performance.now(), nodes: sum(groups.nodes), redis: sum(groups.redis), postgres: sum(groups.postgres()), clients: (own.user + own.system) / 1000, machine: machineBusyMs() };
}
/** CPU use between two snapshots, 100 = one core; `others` is what the rest of the machine used meanwhile. */
function cpuPct(a: CpuSnapshot, b: CpuSnapshot) {
  const dt = (b.at - a.at) / 1000;
  const pct = (key: "nodes" | "redis" | "postgres" | "clients" | "machine") => round(Math.max(0, b[key] - a[key]) / 10 / dt);
  const result = { nodes: pct("nodes"), redis: pct("redis"), postgres: pct("postgres"), clients: pct("clients"), machine: pct("machine"), others: 0 };
  result.others = round(Math.max(0, result.machine - result.nodes - result.redis - result.postgres - result.clients));
  return result;
}

// ---------------------------------------------------------------------------------------------------
// client threads

class ClientThreads {
  private constructor(private readonly threads: Worker[]) {}

  static create(system: System, origin: string, clients: ClientSpec[], meetings: MeetingSpec[], threads: number): ClientThreads {
    const workers: Worker[] = [];
    for (let t = 0; t < threads; t++) {
      const own = meetings.filter((m) => m.index % threads === t);
      if (own.length === 0) continue;
      const ids = new Set(own.map((m) => m.index));
      const init: ThreadInit = { system, origin, clients: clients.filter((c) => ids.has(c.meeting)), meetings: own, concurrency: 25 };
      const worker = new Worker(new URL("./signaling/client-thread.ts", import.meta.url), { workerData: init });
      worker.on("error", (error) => log(`client thread error: ${error.stack ?? error.message}`));
      workers.push(worker);
    }
    const result = new ClientThreads(workers);
    onCleanup(`${system} client threads`, () => result.terminate());
    return result;
  }

  /** Sends `request` to every thread and waits for each one's reply. */
  ask(request: ThreadRequest): Promise<ThreadReply[]> {
    return Promise.all(
      this.threads.map(
        (worker) =>
          new Promise<ThreadReply>((resolve, reject) => {
            const onMessage = (reply: ThreadReply) => {
              worker.off("message", onMessage);
              worker.off("exit", onExit);
              if (reply.type === "fatal") reject(new Error(`client thread: ${reply.error}`));
              else resolve(reply);
            };
            const onExit = (code: number) => reject(new Error(`client thread exited (${code})`));
            worker.on("message", onMessage);
            worker.once("exit", onExit);
            worker.postMessage(request);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.race([this.ask({ type: "close" }), new Promise((r) => setTimeout(r, 8000))]).catch(() => {});
    await this.terminate();
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.threads.map((w) => w.terminate()));
  }
}

function mergeStats(list: StepStats[]): StepStats {
  const out: StepStats = { step: list[0]?.step ?? 0, sent: 0, expected: 0, delivered: 0, outOfOrder: 0, sendErrors: 0, errorSamples: [], hist: new Uint32Array(HIST_BUCKETS), maxMs: 0, sendMs: 0 };
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

function percentile(hist: Uint32Array, total: number, p: number, maxMs: number): number {
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

interface StepResult {
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

/** One paced step on all threads: sends for `seconds`, then waits up to DRAIN_MS for the deliveries. */
async function runStep(threads: ClientThreads, readyClients: number, intervalMs: number, seconds: number, cpu: CpuGroups, label: string): Promise<StepResult> {
  const step = ++stepCounter;
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

interface SystemResult {
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

/**
 * The capacity search of one system: halve the per-client interval until a step fails (or, when phase 1
 * failed, double it until one holds), then bisect geometrically between the fastest interval that held
 * (`lo`) and the slowest that failed (`hi`) for REFINE more steps.
 */
class CapacitySearch {
  lo: number | null;
  hi: number | null = null;
  steps: StepResult[] = [];
  stoppedBy = "";
  private ladder: number;
  private ladderSteps = 0;
  private refineLeft = REFINE;
  private done = false;

  constructor(phase1Held: boolean) {
    this.lo = phase1Held ? BASE_INTERVAL : null;
    this.ladder = phase1Held ? BASE_INTERVAL / 2 : BASE_INTERVAL * 2;
  }

  /** The next interval to try, or null when the search is over. */
  next(): number | null {
    if (this.done) return null;
    if (this.lo !== null && this.hi !== null) {
      if (this.refineLeft > 0) return Math.sqrt(this.lo * this.hi);
      this.stoppedBy ||= `p99 > ${P99_MS} ms or delivery < ${MIN_RATIO * 100}% at ${round(this.hi, 2)} ms per client`;
      this.done = true;
      return null;
    }
    if (this.ladderSteps >= MAX_STEPS) {
      this.stoppedBy = `--max-steps ${MAX_STEPS} reached`;
      this.done = true;
      return null;
    }
    return this.ladder;
  }

  record(interval: number, result: StepResult): void {
    this.steps.push(result);
    if (this.lo !== null && this.hi !== null) {
      this.refineLeft--;
      if (result.held) this.lo = interval;
      else this.hi = interval;
      return;
    }
    this.ladderSteps++;
    if (result.held) {
      this.lo = interval;
      if (this.hi === null && result.sends_per_s < 0.9 * result.target_sends_per_s) {
        this.stoppedBy = `the load generator reached only ${result.sends_per_s} of ${result.target_sends_per_s} sends/s`;
        this.done = true;
      }
      this.ladder = interval / 2;
    } else {
      this.hi = interval;
      if (this.lo === null && interval >= BASE_INTERVAL * 8) {
        this.stoppedBy = "no rate held";
        this.done = true;
      }
      this.ladder = interval * 2; // only used while nothing held yet: look for a slower rate that does
    }
  }
}

/** One system under test: its servers' processes, its clients (connected), its results so far. */
class SystemRun {
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
async function runSystems(runs: SystemRun[]): Promise<void> {
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

// ---------------------------------------------------------------------------------------------------
// set-up: accounts, sessions, meetings

function meetingCode(): string {
  const bytes = randomBytes(8);
  return [...bytes].map((b) => MEETING_CODE_ALPHABET[b % MEETING_CODE_ALPHABET.length]).join("");
}

async function createAccounts(databaseUrl: string, count: number, password: string): Promise<Array<{ id: string; email: string }>> {
  // one argon2 hash for all of them (hashing 1,000 passwords would take ~30 s)
  const hash = await hashPassword(password);
  const accounts = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), email: `bench-${i}-${randomBytes(4).toString("hex")}@example.test` }));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "User" ("id", "name", "email", "passwordHash", "updatedAt")
       SELECT id, name, email, $4, now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, name, email)`,
      [accounts.map((a) => a.id), accounts.map((_, i) => `Bench ${i}`), accounts.map((a) => a.email), hash],
    );
  } finally {
    await client.end();
  }
  return accounts;
}

async function createMeetings(databaseUrl: string, hosts: string[]): Promise<Array<{ id: string; code: string }>> {
  const codes = new Set<string>();
  while (codes.size < hosts.length) codes.add(meetingCode());
  const meetings = [...codes].map((code) => ({ id: randomUUID(), code }));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // SFU from the first participant on, where meetings have a mesh threshold (P2P up to N participants)
    const threshold = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'Meeting' AND column_name = 'p2pMaxParticipants'`);
    const [column, value] = threshold.rowCount ? [`, "p2pMaxParticipants"`, ", 0"] : ["", ""];
    await client.query(
      `INSERT INTO "Meeting" ("id", "code", "title", "hostId", "maxParticipants", "mode"${column})
       SELECT id, code, title, host, $5, 'SFU'${value} FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS t(id, code, title, host)`,
      [meetings.map((m) => m.id), meetings.map((m) => m.code), meetings.map((_, i) => `Bench meeting ${i}`), hosts, MEETING_SIZE],
    );
  } finally {
    await client.end();
  }
  return meetings;
}

async function signInAll(webUrl: string, accounts: Array<{ email: string }>, password: string): Promise<string[]> {
  const cookies: string[] = new Array(accounts.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const i = next++;
      let result = await signIn(webUrl, { email: accounts[i]!.email, password });
      for (let attempt = 1; !result.ok && attempt < 3; attempt++) result = await signIn(webUrl, { email: accounts[i]!.email, password });
      if (!result.ok) throw new Error(`sign-in of ${accounts[i]!.email} failed: ${result.error}`);
      cookies[i] = result.cookie;
      if (++done % 200 === 0) log(`${done}/${accounts.length} signed in`);
    }
  };
  await Promise.all(Array.from({ length: SIGNIN_CONCURRENCY }, worker));
  return cookies;
}

// ---------------------------------------------------------------------------------------------------

/** Child servers' stderr (and stdout) go to our stderr, prefixed: our stdout carries only the result. */
function forwardOutput(proc: ManagedProcess): void {
  for (const stream of [proc.child.stdout, proc.child.stderr]) {
    let buffer = "";
    stream?.on("data", (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stderr.write(`  [${proc.name}] ${line}\n`);
    });
  }
}

function gitState(): { head: string; dirty: string[] } {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(3));
    return { head, dirty };
  } catch {
    return { head: "unknown", dirty: [] };
  }
}

async function main(): Promise<void> {
  const git = gitState();
  log(`clients=${CLIENTS} meetings=${MEETINGS}x${MEETING_SIZE} nodes=${NODES} seconds=${SECONDS} step-seconds=${STEP_SECONDS} threads=${THREADS} accounts=${ACCOUNTS} (git ${git.head}${git.dirty.length ? `, ${git.dirty.length} uncommitted file(s)` : ""})`);
  // this machine may be shared (tests, builds): say how busy it was, the numbers depend on it
  const busyBefore = machineBusyMs();
  const busyFrom = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const machineBusyBefore = round((machineBusyMs() - busyBefore) / 10 / ((performance.now() - busyFrom) / 1000));
  log(`machine CPU before the run: ${machineBusyBefore}% (100 = one core; ${os.cpus().length} cores)${machineBusyBefore > 20 ? ": other work is running, the results will be disturbed by it" : ""}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-bench-signaling-"));
  onCleanup("temporary folder", () => rm(dir, { recursive: true, force: true }));

  log("building the web app (turbo cache)");
  await buildWeb(root, { quiet: true });

  const postgres: PostgresServer = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), database: "qualmeet_bench", log });
  onCleanup("PostgreSQL", () => postgres.stop());
  const redis = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false, log });
  onCleanup("Redis", () => redis.stop());
  await applyMigrations(postgres.url, path.join(root, "prisma/migrations"));
  const postmasterPid = Number(readFileSync(path.join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);

  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    NEXT_TELEMETRY_DISABLED: "1",
    // a load test from one address
    RATE_LIMIT_GLOBAL_PER_MIN: "1000000000",
    RATE_LIMIT_WS_UPGRADES_PER_MIN: "1000000",
    RATE_LIMIT_CHAT_PER_10S: "1000000",
    RATE_LIMIT_REGISTER_PER_HOUR: "1000000",
    RATE_LIMIT_SIGNIN_PER_MIN: "1000000",
  };

  // accounts: created in bulk in the database, then signed in through next-auth
  const setupStart = performance.now();
  const password = "bench password 1234";
  const accounts = await createAccounts(postgres.url, ACCOUNTS, password);
  const webPort = await freePort();
  const webUrl = `http://localhost:${webPort}`;
  log(`${ACCOUNTS} accounts created; starting the web app for the sign-ins`);
  const web = spawnTsServer({ name: "web", root, script: "apps/web/server.ts", env: { ...env, NODE_ENV: "production", PORT: String(webPort), HOST: "127.0.0.1", NEXTAUTH_URL: webUrl }, output: "ignore" });
  onCleanup("web app", () => web.stop());
  forwardOutput(web);
  await waitForHttp(`${webUrl}/api/health`, web, 60_000, true);
  const signInStart = performance.now();
  const cookies = await signInAll(webUrl, accounts, password);
  const signInS = round((performance.now() - signInStart) / 1000);
  log(`${ACCOUNTS} sign-ins through next-auth in ${signInS}s; stopping the web app`);
  await web.stop();

  // meetings: one row per meeting of MEETING_SIZE, hosted by its first member (+1 for the cross-node probe)
  const clientAccount = (i: number) => i % ACCOUNTS;
  const hosts = Array.from({ length: MEETINGS + 1 }, (_, m) => accounts[clientAccount(Math.min(m * MEETING_SIZE, CLIENTS - 1))]!.id);
  const meetingRows = await createMeetings(postgres.url, hosts);

  // 2 realtime nodes
  const nodes: Array<{ url: string; proc: ManagedProcess }> = [];
  for (let n = 0; n < NODES; n++) {
    const port = await freePort();
    const proc = spawnTsServer({
      name: `realtime-${n}`,
      root,
      script: "apps/realtime/src/main.ts",
      args: ["--port", String(port)],
      env: {
        ...env,
        ALLOWED_ORIGINS: webUrl,
        HOST: "127.0.0.1",
        MEDIA_WORKERS: String(MEDIA_WORKERS),
        ...profileEnv("qualmeet"),
      },
      output: "ignore",
    });
    onCleanup(`realtime node ${n}`, () => proc.stop());
    forwardOutput(proc);
    nodes.push({ url: `ws://127.0.0.1:${port}`, proc });
  }
  for (const node of nodes) await waitForHttp(`${node.url.replace("ws:", "http:")}/healthz`, node.proc, 60_000, true);
  const nodePids = nodes.map((n) => n.proc.child.pid!);
  const setupS = round((performance.now() - setupStart) / 1000);
  log(`set-up done in ${setupS}s (nodes: ${nodes.map((n) => n.url).join(", ")})`);

  const cpuGroups: CpuGroups = {
    nodes: nodePids,
    redis: redis.process?.pid ? [redis.process.pid] : [],
    postgres: () => [postmasterPid, ...childPids(postmasterPid)],
  };
  const nodesRss = () => nodePids.reduce((n, pid) => n + procRssMb(pid), 0);
  const mediaWorkersRss = () => nodePids.flatMap((pid) => childPids(pid)).reduce((n, pid) => n + procRssMb(pid), 0);

  // does a meeting work with its members on different nodes? (join through each node, chat, both receive)
  let crossNode = CROSS_NODE === "on";
  let crossNodeProbe: string | null = null;
  if (CROSS_NODE === "auto") {
    const probeMeeting: MeetingSpec = { index: MEETINGS, code: meetingRows[MEETINGS]!.code, members: 2 };
    const probeClients: ClientSpec[] = [0, 1].map((n) => ({ id: CLIENTS + n, meeting: MEETINGS, url: nodes[n]!.url, cookie: cookies[n % ACCOUNTS] }));
    const probe = ClientThreads.create("qualmeet", webUrl, probeClients, [probeMeeting], 1);
    try {
      const [connected] = await probe.ask({ type: "connect" });
      if (connected?.type === "connected" && connected.ok === 2) {
        const step = ++stepCounter;
        await probe.ask({ type: "run", step, intervalMs: 200, durationMs: 1000 });
        await new Promise((r) => setTimeout(r, 500));
        const [stats] = await probe.ask({ type: "collect", step });
        const s = stats?.type === "stats" ? stats.stats : null;
        crossNode = !!s && s.sent > 0 && s.delivered === s.expected && s.sendErrors === 0;
        crossNodeProbe = crossNode ? "ok" : `delivered ${s?.delivered}/${s?.expected}, errors ${s?.sendErrors}: ${s?.errorSamples.join(" | ")}`;
      } else {
        crossNodeProbe = connected?.type === "connected" ? connected.errors.join(" | ") : "no reply";
      }
    } finally {
      await probe.close();
    }
    log(`cross-node meeting probe: ${crossNodeProbe} -> ${crossNode ? "members of a meeting spread over both nodes" : "all members of a meeting on one node"}`);
  }

  // client i is member i % MEETING_SIZE of meeting floor(i / MEETING_SIZE); its node alternates per member
  // (cross-node) or per meeting
  const meetings: MeetingSpec[] = Array.from({ length: MEETINGS }, (_, m) => ({ index: m, code: meetingRows[m]!.code, members: Math.min(MEETING_SIZE, CLIENTS - m * MEETING_SIZE) }));
  const nodeOf = (i: number) => (crossNode ? (i % MEETING_SIZE) + Math.floor(i / MEETING_SIZE) : Math.floor(i / MEETING_SIZE)) % NODES;
  const clientSpecs = (urls: string[], withCookies: boolean): ClientSpec[] =>
    Array.from({ length: CLIENTS }, (_, i) => ({ id: i, meeting: Math.floor(i / MEETING_SIZE), url: urls[nodeOf(i)]!, ...(withCookies ? { cookie: cookies[clientAccount(i)] } : {}) }));

  const runs: SystemRun[] = [];
  try {
    const qualmeetRun = new SystemRun("qualmeet", webUrl, clientSpecs(nodes.map((n) => n.url), true), meetings, cpuGroups, nodesRss, () => ({
      media_workers_rss_mb: round(mediaWorkersRss()),
    }));
    runs.push(qualmeetRun);
    if (!args["no-baseline"]) {
      // the baseline's servers run beside the (then idle) realtime nodes: the systems' steps alternate
      const servers: Array<{ url: string; proc: ManagedProcess }> = [];
      for (let n = 0; n < NODES; n++) {
        const port = await freePort();
        const proc = spawnTsServer({ name: `socketio-${n}`, root, script: "scripts/bench/signaling/socketio-server.ts", args: ["--port", String(port)], env: { REDIS_URL: redis.url, PATH: process.env.PATH, NODE_ENV: "production", ...profileEnv("socketio") }, output: "ignore" });
        onCleanup(`socket.io server ${n}`, () => proc.stop());
        forwardOutput(proc);
        servers.push({ url: `ws://127.0.0.1:${port}`, proc });
      }
      for (const server of servers) await waitForHttp(`${server.url.replace("ws:", "http:")}/healthz`, server.proc, 30_000);
      const pids = servers.map((s) => s.proc.child.pid!);
      runs.push(new SystemRun("socketio", webUrl, clientSpecs(servers.map((s) => s.url), false), meetings, { ...cpuGroups, nodes: pids }, () => pids.reduce((n, pid) => n + procRssMb(pid), 0)));
    }
    await runSystems(runs);
  } finally {
    for (const run of runs) await run.close();
  }
  const qualmeet = runs[0]!.result();
  const baseline = runs[1]?.result() ?? null;

  const result = {
    clients: CLIENTS,
    meetings: MEETINGS,
    meeting_size: MEETING_SIZE,
    nodes: NODES,
    seconds: SECONDS,
    interval_ms: BASE_INTERVAL,
    cross_node_meetings: crossNode,
    ...(crossNodeProbe ? { cross_node_probe: crossNodeProbe } : {}),
    delivered_ratio: qualmeet.delivered_ratio,
    p50_ms: qualmeet.p50_ms,
    p95_ms: qualmeet.p95_ms,
    p99_ms: qualmeet.p99_ms,
    capacity_msgs_per_s: qualmeet.capacity_msgs_per_s,
    rss_mb: qualmeet.rss_mb,
    baseline: baseline
      ? {
          system: "socket.io@4 + @socket.io/redis-adapter, 2 processes, websocket transport, acked emits",
          ...baseline,
        }
      : null,
    throughput_ratio: baseline && baseline.capacity_msgs_per_s > 0 ? round(qualmeet.capacity_msgs_per_s / baseline.capacity_msgs_per_s, 3) : null,
    target: {
      p99_under_ms: P99_MS,
      p99_met: qualmeet.p99_ms < P99_MS,
      capacity_at_least_baseline: baseline ? qualmeet.capacity_msgs_per_s >= baseline.capacity_msgs_per_s : null,
    },
    qualmeet: { ...qualmeet, media_workers_per_node: MEDIA_WORKERS },
    definitions: {
      delivered_ratio: "delivered / (sent x members): every member of the meeting, the sender included, gets each chat event; failed sends count as lost",
      capacity_msgs_per_s: `delivered chat events per second in the fastest ${STEP_SECONDS}s step with p99 <= ${P99_MS} ms and delivery >= ${MIN_RATIO * 100}% (a rate fails when ${RETRIES + 1} tries of its step all fail)`,
      rss_mb: "VmRSS of the 2 server processes summed (/proc), at the end of phase 1 (QualMeet: realtime node processes, not their mediasoup workers)",
      latency: "send (client thread clock, just before the frame is written) to receipt in the receiving client's thread (same clock)",
    },
    clients_impl: `raw WebSockets (ws) speaking tRPC's JSON-RPC / Engine.IO packets, ${THREADS} worker thread(s) in the bench process`,
    accounts: ACCOUNTS,
    sessions_shared_by: round(CLIENTS / ACCOUNTS, 2),
    signin_s: signInS,
    setup_s: setupS,
    total_s: round((performance.now() - started) / 1000),
    cpus: os.cpus().length,
    machine_busy_before_pct: machineBusyBefore,
    // CPU that other processes of this machine used during the measured steps (100 = one core)
    others_cpu_pct: {
      qualmeet_phase1: qualmeet.phase1_cpu_pct.others,
      baseline_phase1: baseline?.phase1_cpu_pct.others ?? null,
      all_steps_mean: round(mean([qualmeet, ...(baseline ? [baseline] : [])].flatMap((r) => [r.phase1_cpu_pct.others, ...r.capacity_steps.map((s) => s.cpu_pct.others)]))),
    },
    git: { head: git.head, uncommitted: git.dirty },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// a run that hangs must not hang a terminal or CI: stopped once it takes far longer than every step would
run(main, (900 + 2 * (SECONDS + (MAX_STEPS + REFINE) * (RETRIES + 1) * (STEP_SECONDS + 5))) * 1000);

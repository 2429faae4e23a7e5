// Random chat matching benchmark. Starts its own PostgreSQL, Redis, the web app (for the guest sign-ins, then
// stopped) and 2 realtime nodes on free ports; --clients simulated people (real WebSockets, guest sessions, half on
// each node) join over the first seconds, press Start, talk a moment when matched (--talk-ms on average), press
// Next (or now and then Stop and Start again a little later), and leave at the end (--seconds).
// Measured, with one clock (every client lives in this process):
//   p50/p95/p99_ms  press (Start or Next) -> the "matched" event, for the presses that found a compatible partner
//                   waiting (the press answered "matched": the one matching script found them at once)
//   matches_per_s   matches announced during the run / its seconds
//   max_wait_ms     the longest any press waited for its match (the others' arrivals included)
//   double_matches  people in two matches at once, from the match records in Redis (must be 0)
//   rss_mb          the peak resident memory of the two realtime nodes together
// Progress goes to stderr; the last line of stdout is one JSON object with the results.
//
//   npm run bench:match
//   npm run bench:match -- --clients 200 --seconds 10    (a quick run)
//   other flags: --talk-ms 500 --join-ms 3000 --profile DIR (V8 CPU profiles of the nodes)
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { applyMigrations } from "../../packages/db/src/index.ts";
import { createRedis } from "../../packages/api/src/services/redis.ts";
import type { Preferences } from "../../packages/api/src/random/preferences.ts";
import { doubleMatches, matchRecordsOf, newDeviceId, randomPerson, type RandomPerson, type TimedEvent } from "../../tests/harness/randomChat.ts";
import { freePort } from "../lib/ports.ts";
import { startPostgres } from "../lib/postgres.ts";
import { startRedis } from "../lib/redis.ts";
import { buildWeb } from "../lib/webBuild.ts";
import { numberOption } from "./args.ts";
import { benchCleanup } from "./cleanup.ts";
import { procCpuMs, procRssMb } from "./procStats.ts";
import { benchServerEnv, guestsThroughWebApp, startRealtimeNodes } from "./stack.ts";
import { printBenchResult } from "./report/contract.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
    "talk-ms": { type: "string", default: "500" },
    "join-ms": { type: "string", default: "3000" },
    /** V8 CPU profiles of the realtime nodes into this folder, written when they stop */
    profile: { type: "string" },
  },
});
const CLIENTS = numberOption(args, "clients", 2);
const SECONDS = numberOption(args, "seconds", 1);
const TALK_MS = numberOption(args, "talk-ms", 0);
const JOIN_MS = numberOption(args, "join-ms", 0);

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench:match ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const { onCleanup, run } = benchCleanup(log);

function percentile(sorted: number[], p: number): number {
  return sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!) : NaN;
}

/** One simulated person: presses, and what came of them. */
class Chatter {
  person!: RandomPerson;
  /** when the current press was sent, and whether it answered "matched" (a partner was waiting) */
  private press: { at: number; foundWaiting: boolean | null } | null = null;
  /** the match the person is in, as the events say; null once they pressed Next or Stop */
  private currentMatch: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private leaving = false;
  readonly instantMs: number[] = [];
  readonly waitMs: number[] = [];
  matches = 0;
  errors: string[] = [];

  constructor(
    readonly name: string,
    readonly preferences: Preferences,
  ) {}

  async connect(url: string, origin: string, cookie: string): Promise<void> {
    this.person = await randomPerson({ wsUrl: url, origin, cookie, name: this.name, deviceId: newDeviceId(), onEvent: (e) => this.heard(e) });
  }

  pressStart(): void {
    this.send(() => this.person.client.random.start.mutate({ deviceId: this.person.deviceId, preferences: this.preferences }));
  }

  async leave(): Promise<void> {
    this.leaving = true;
    if (this.timer) clearTimeout(this.timer);
    await this.person.client.random.stop.mutate().catch((error: unknown) => this.errors.push(String(error)));
  }

  private send(call: () => Promise<{ status: string }>): void {
    const press = { at: performance.now(), foundWaiting: null as boolean | null };
    this.press = press;
    this.currentMatch = null;
    call().then(
      (answer) => (press.foundWaiting = answer.status === "matched"),
      (error: unknown) => {
        // a press that crossed an event (the partner left as we pressed): start over from where the server says
        this.errors.push(String(error));
        this.press = null;
        this.later(TALK_MS, () => void this.person.client.random.stop.mutate().then(() => this.pressStart()));
      },
    );
  }

  private later(meanMs: number, action: () => void): void {
    if (this.leaving) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(action, Math.random() * 2 * meanMs);
  }

  private heard({ at, event }: TimedEvent): void {
    if (event.type === "matched" && this.press) {
      this.matches++;
      this.currentMatch = event.matchId;
      const press = this.press;
      this.press = null;
      this.waitMs.push(at - press.at);
      // the answer and the event race on the socket: count the press once its answer says a partner was waiting
      const count = () => (press.foundWaiting === true ? this.instantMs.push(at - press.at) : press.foundWaiting === null && setTimeout(count, 5));
      count();
      // talk a moment, then Next; now and then Stop and Start again a little later instead
      if (Math.random() < 0.1) {
        this.later(TALK_MS, () => {
          this.currentMatch = null;
          void this.person.client.random.stop.mutate().then(() => this.later(TALK_MS, () => this.pressStart()));
        });
      } else {
        this.later(TALK_MS, () => this.send(() => this.person.client.random.next.mutate({ matchId: event.matchId })));
      }
    } else if (event.type === "partnerLeft" && event.matchId === this.currentMatch) {
      // (a match this person already left by pressing is no concern of theirs)
      this.later(TALK_MS / 2, () => this.send(() => this.person.client.random.next.mutate({ matchId: event.matchId })));
    }
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-bench-match-"));
  onCleanup("temporary folder", () => rm(dir, { recursive: true, force: true }));
  log("building the web app (turbo cache)");
  await buildWeb(root, { quiet: true });
  const postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), database: "qualmeet_bench", log });
  onCleanup("PostgreSQL", () => postgres.stop());
  const redisServer = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false, log });
  onCleanup("Redis", () => redisServer.stop());
  await applyMigrations(postgres.url, path.join(root, "prisma/migrations"));

  // a person presses a few times a second here: every procedure's own limit is raised (moderation's are not in yet)
  const env = { ...benchServerEnv(postgres.url, redisServer.url), RATE_LIMIT_SCALE: "1000" };
  const stack = { root, env, onCleanup, log };
  const names = Array.from({ length: CLIENTS }, (_, i) => `Bench ${i}`);
  const { cookies, webUrl } = await guestsThroughWebApp(stack, names, 16);
  const profile = args.profile ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${path.resolve(args.profile)}`.trim() } : {};
  const nodes = await startRealtimeNodes(stack, { count: 2, webUrl, mediaWorkers: 0, extraEnv: profile });
  const nodePids = nodes.map((n) => n.proc.child.pid!);

  // everyone in one region; most speak English; a few interests each (widened after RANDOM_WIDEN_MS)
  const interests = ["music", "films", "games", "travel"];
  const chatters = names.map(
    (name) => new Chatter(name, { region: "europe", language: Math.random() < 0.8 ? "en" : "es", interests: interests.filter(() => Math.random() < 0.25), textOnly: false }),
  );
  log(`connecting ${CLIENTS} clients`);
  for (let i = 0; i < CLIENTS; i += 50) {
    await Promise.all(chatters.slice(i, i + 50).map((c, k) => c.connect(nodes[(i + k) % 2]!.url, webUrl, cookies[i + k]!)));
  }

  const redisPid = redisServer.process?.pid;
  const cpuOf = () => ({ nodes: nodePids.reduce((n, pid) => n + procCpuMs(pid), 0), redis: redisPid ? procCpuMs(redisPid) : 0, clients: procCpuMs(process.pid) });
  const cpuBefore = cpuOf();
  const [machineLoad] = os.loadavg();
  let peakRss = 0;
  const sampleRss = setInterval(
    () =>
      (peakRss = Math.max(
        peakRss,
        nodePids.reduce((n, pid) => n + procRssMb(pid), 0),
      )),
    500,
  );
  log(`running ${SECONDS}s: joining over ${JOIN_MS} ms, then Next (and sometimes Stop/Start) after ~${TALK_MS} ms of talk`);
  const runStart = performance.now();
  for (const c of chatters) setTimeout(() => c.pressStart(), Math.random() * JOIN_MS);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const runS = (performance.now() - runStart) / 1000;
  const cpuAfter = cpuOf();
  /** percent of one core during the run */
  const cpu = (part: keyof typeof cpuAfter) => Math.round((cpuAfter[part] - cpuBefore[part]) / 10 / runS);
  log("leaving");
  await Promise.all(chatters.map((c) => c.leave()));
  clearInterval(sampleRss);

  const redis = createRedis({ url: redisServer.url }, "bench-match");
  onCleanup("Redis client", async () => redis.disconnect());
  const userIds = new Set(chatters.map((c) => c.person.userId));
  const records = await matchRecordsOf(redis, userIds);
  const doubles = doubleMatches(records);
  if (doubles.length) log(`double matches: ${doubles.slice(0, 5).join("; ")}`);
  await Promise.all(chatters.map((c) => c.person.close()));

  const instant = chatters.flatMap((c) => c.instantMs).sort((a, b) => a - b);
  const waits = chatters.flatMap((c) => c.waitMs);
  const errors = chatters.flatMap((c) => c.errors);
  if (errors.length) log(`${errors.length} failed presses, e.g. ${errors.slice(0, 3).join(" | ")}`);
  const result = {
    clients: CLIENTS,
    p50_ms: percentile(instant, 50),
    p95_ms: percentile(instant, 95),
    p99_ms: percentile(instant, 99),
    matches_per_s: round(records.length / runS),
    max_wait_ms: round(Math.max(0, ...waits)),
    double_matches: doubles.length,
    rss_mb: round(peakRss),
    matches: records.length,
    instant_matches: instant.length,
    failed_presses: errors.length,
    seconds: round(runS),
    talk_ms: TALK_MS,
    nodes: 2,
    // percent of one core during the run (2 cores here, shared with the clients and whatever else runs)
    cpu_pct: { nodes: cpu("nodes"), redis: cpu("redis"), clients: cpu("clients") },
    machine_load_before: round(machineLoad!, 2),
  };
  // one load per run (--clients): a point per percentile, and the match rate it carried
  const people = { label: "people in the queue", unit: "" };
  printBenchResult({
    bench: "match",
    results: result,
    charts: [
      { title: "Random chat matches per second", x: people, y: { label: "matches", unit: "per s" }, series: [{ system: "qualmeet", points: [[CLIENTS, result.matches_per_s]] }] },
      {
        title: "Random chat press to match latency",
        x: people,
        y: { label: "press to matched", unit: "ms" },
        series: (["p50_ms", "p95_ms", "p99_ms"] as const).map((p) => ({
          system: `qualmeet ${p.slice(0, 3)}`,
          points: Number.isFinite(result[p]) ? [[CLIENTS, result[p]] as [number, number]] : [],
        })),
      },
    ],
  });
}

run(main, 30 * 60_000);

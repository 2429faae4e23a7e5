// Signaling benchmark: N simulated meeting clients over real WebSockets with real session cookies, split
// over 2 realtime nodes, in meetings of 10. Each client sends a message (a shared link, `room.playback`, run by
// the meeting's media owner; each meeting's host lets everyone share) and everyone in the meeting gets it through their `room.events` subscription
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
// This file sets up the servers and writes the result; the parts live in signaling/: options.ts (flags),
// systemRun.ts (one system through both phases), capacitySearch.ts, step.ts (one measured step), cpu.ts,
// clientThreads.ts + client-thread.ts (the clients), accounts.ts; ./stack.ts starts the QualMeet servers.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "../../packages/db/src/migrate.ts";
import { freePort } from "../lib/ports.ts";
import { startPostgres, type PostgresServer } from "../lib/postgres.ts";
import { spawnServer, waitForHttp, type ManagedProcess } from "../lib/processes.ts";
import { startRedis } from "../lib/redis.ts";
import { buildWeb } from "../lib/webBuild.ts";
import { procRssMb } from "./procStats.ts";
import { benchServerEnv, forwardOutput, signInThroughWebApp, startRealtimeNodes } from "./stack.ts";
import { createAccounts, createMeetings } from "./signaling/accounts.ts";
import { ClientThreads } from "./signaling/clientThreads.ts";
import { childPids, machineBusyMs, type CpuGroups } from "./signaling/cpu.ts";
import {
  ACCOUNTS,
  args,
  BASE_INTERVAL,
  CLIENTS,
  CROSS_NODE,
  log,
  MAX_STEPS,
  MEDIA_WORKERS,
  MEETING_SIZE,
  MEETINGS,
  mean,
  MIN_RATIO,
  NODES,
  onCleanup,
  P99_MS,
  profileEnv,
  REFINE,
  RETRIES,
  root,
  round,
  run,
  SECONDS,
  SIGNIN_CONCURRENCY,
  started,
  STEP_SECONDS,
  THREADS,
} from "./signaling/options.ts";
import type { ClientSpec, MeetingSpec } from "./signaling/protocol.ts";
import { nextStep } from "./signaling/step.ts";
import { runSystems, SystemRun, type SystemResult } from "./signaling/systemRun.ts";
import { printBenchResult, type Chart } from "./report/contract.ts";

/** the operations issue's memory targets: an idle node under 120 MB, both nodes at most 1.3x the baseline's processes */
const IDLE_NODE_RSS_MB = 120;
const RSS_RATIO = 1.3;
/** how long a server settles after its health check before its idle memory is read */
const IDLE_SETTLE_MS = 10_000;

/** VmRSS (MB) of each process once its start-up has settled, before any client connects. */
async function idleRss(pids: number[]): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  return pids.map((pid) => round(procRssMb(pid)));
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
  log(
    `clients=${CLIENTS} meetings=${MEETINGS}x${MEETING_SIZE} nodes=${NODES} seconds=${SECONDS} step-seconds=${STEP_SECONDS} threads=${THREADS} accounts=${ACCOUNTS} (git ${git.head}${git.dirty.length ? `, ${git.dirty.length} uncommitted file(s)` : ""})`,
  );
  // this machine may be shared (tests, builds): say how busy it was, the numbers depend on it
  const busyBefore = machineBusyMs();
  const busyFrom = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const machineBusyBefore = round((machineBusyMs() - busyBefore) / 10 / ((performance.now() - busyFrom) / 1000));
  log(
    `machine CPU before the run: ${machineBusyBefore}% (100 = one core; ${os.cpus().length} cores)${machineBusyBefore > 20 ? ": other work is running, the results will be disturbed by it" : ""}`,
  );
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

  const env = benchServerEnv(postgres.url, redis.url);
  const stack = { root, env, onCleanup, log };

  // accounts: created in bulk in the database, then signed in through next-auth
  const setupStart = performance.now();
  const password = "bench password 1234";
  const accounts = await createAccounts(postgres.url, ACCOUNTS, password);
  log(`${ACCOUNTS} accounts created; starting the web app for the sign-ins`);
  const { cookies, webUrl, signInMs } = await signInThroughWebApp(
    stack,
    accounts.map((a) => a.email),
    password,
    SIGNIN_CONCURRENCY,
  );
  const signInS = round(signInMs / 1000);

  // meetings: one row per meeting of MEETING_SIZE, hosted by its first member (+1 for the cross-node probe, hosted
  // by its first client, account 0); the host lets everyone share links (room.setPlaybackAllowed, client-thread.ts)
  const clientAccount = (i: number) => i % ACCOUNTS;
  const hosts = Array.from({ length: MEETINGS + 1 }, (_, m) => accounts[clientAccount(m < MEETINGS ? m * MEETING_SIZE : 0)]!.id);
  const meetingRows = await createMeetings(postgres.url, hosts);

  const nodes = await startRealtimeNodes(stack, { count: NODES, webUrl, mediaWorkers: MEDIA_WORKERS, extraEnv: profileEnv("qualmeet") });
  const nodePids = nodes.map((n) => n.proc.child.pid!);
  const setupS = round((performance.now() - setupStart) / 1000);
  log(`set-up done in ${setupS}s (nodes: ${nodes.map((n) => n.url).join(", ")})`);

  const cpuGroups: CpuGroups = {
    nodes: nodePids,
    redis: redis.process?.pid ? [redis.process.pid] : [],
    postgres: () => [postmasterPid, ...childPids(postmasterPid)],
  };
  const nodesRss = () => nodePids.reduce((n, pid) => n + procRssMb(pid), 0);
  const nodesIdleRss = await idleRss(nodePids);
  log(`realtime nodes idle, no clients: ${nodesIdleRss.join(", ")} MB each`);
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
        const step = nextStep();
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
  const meetings: MeetingSpec[] = Array.from({ length: MEETINGS }, (_, m) => ({
    index: m,
    code: meetingRows[m]!.code,
    members: Math.min(MEETING_SIZE, CLIENTS - m * MEETING_SIZE),
  }));
  const nodeOf = (i: number) => (crossNode ? (i % MEETING_SIZE) + Math.floor(i / MEETING_SIZE) : Math.floor(i / MEETING_SIZE)) % NODES;
  const clientSpecs = (urls: string[], withCookies: boolean): ClientSpec[] =>
    Array.from({ length: CLIENTS }, (_, i) => ({
      id: i,
      meeting: Math.floor(i / MEETING_SIZE),
      url: urls[nodeOf(i)]!,
      ...(withCookies ? { cookie: cookies[clientAccount(i)] } : {}),
    }));

  const runs: SystemRun[] = [];
  let baselineIdleRss: number[] = [];
  try {
    const qualmeetRun = new SystemRun(
      "qualmeet",
      webUrl,
      clientSpecs(
        nodes.map((n) => n.url),
        true,
      ),
      meetings,
      cpuGroups,
      nodesRss,
      () => ({
        media_workers_rss_mb: round(mediaWorkersRss()),
      }),
    );
    runs.push(qualmeetRun);
    if (!args["no-baseline"]) {
      // the baseline's servers run beside the (then idle) realtime nodes: the systems' steps alternate
      const servers: Array<{ url: string; proc: ManagedProcess }> = [];
      for (let n = 0; n < NODES; n++) {
        const port = await freePort();
        const proc = spawnServer({
          name: `socketio-${n}`,
          root,
          script: "scripts/bench/signaling/socketio-server.ts",
          args: ["--port", String(port)],
          env: { REDIS_URL: redis.url, PATH: process.env.PATH, NODE_ENV: "production", ...profileEnv("socketio") },
          output: "ignore",
        });
        onCleanup(`socket.io server ${n}`, () => proc.stop());
        forwardOutput(proc);
        servers.push({ url: `ws://127.0.0.1:${port}`, proc });
      }
      for (const server of servers) await waitForHttp(`${server.url.replace("ws:", "http:")}/healthz`, server.proc, 30_000);
      const pids = servers.map((s) => s.proc.child.pid!);
      baselineIdleRss = await idleRss(pids);
      log(`socket.io servers idle, no clients: ${baselineIdleRss.join(", ")} MB each`);
      runs.push(
        new SystemRun(
          "socketio",
          webUrl,
          clientSpecs(
            servers.map((s) => s.url),
            false,
          ),
          meetings,
          { ...cpuGroups, nodes: pids },
          () => pids.reduce((n, pid) => n + procRssMb(pid), 0),
        ),
      );
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
    idle_rss_mb_per_node: nodesIdleRss,
    baseline: baseline
      ? {
          system: "socket.io@4 + @socket.io/redis-adapter, 2 processes, websocket transport, acked emits",
          ...baseline,
          idle_rss_mb_per_process: baselineIdleRss,
        }
      : null,
    rss_ratio_vs_baseline: baseline && baseline.rss_mb > 0 ? round(qualmeet.rss_mb / baseline.rss_mb, 2) : null,
    throughput_ratio: baseline && baseline.capacity_msgs_per_s > 0 ? round(qualmeet.capacity_msgs_per_s / baseline.capacity_msgs_per_s, 3) : null,
    target: {
      p99_under_ms: P99_MS,
      p99_met: qualmeet.p99_ms < P99_MS,
      capacity_at_least_baseline: baseline ? qualmeet.capacity_msgs_per_s >= baseline.capacity_msgs_per_s : null,
      idle_node_under_mb: IDLE_NODE_RSS_MB,
      idle_node_met: nodesIdleRss.every((mb) => mb < IDLE_NODE_RSS_MB),
      rss_at_most_baseline_times: RSS_RATIO,
      rss_met: baseline ? qualmeet.rss_mb <= RSS_RATIO * baseline.rss_mb : null,
    },
    qualmeet: { ...qualmeet, media_workers_per_node: MEDIA_WORKERS },
    definitions: {
      delivered_ratio: "delivered / (sent x members): every member of the meeting, the sender included, gets each chat event; failed sends count as lost",
      capacity_msgs_per_s: `delivered chat events per second in the fastest ${STEP_SECONDS}s step with p99 <= ${P99_MS} ms and delivery >= ${MIN_RATIO * 100}% (a rate fails when ${RETRIES + 1} tries of its step all fail)`,
      rss_mb: "VmRSS of the 2 server processes summed (/proc), at the end of phase 1 (QualMeet: realtime node processes, not their mediasoup workers)",
      idle_rss_mb_per_node: `VmRSS of each server process ${IDLE_SETTLE_MS / 1000}s after it answered its health check, before any client connected`,
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
  printBenchResult({
    bench: "signaling",
    results: result,
    charts: loadCharts([{ system: "qualmeet", run: qualmeet }, ...(baseline ? [{ system: "socket.io", run: baseline }] : [])]),
  });
}

/**
 * Delivered chat events/s and p99 latency against the offered load (sends/s) of each capacity step, per system;
 * of a rate tried again (--retries) the last try, the one the search went by.
 */
function loadCharts(systems: Array<{ system: string; run: SystemResult }>): Chart[] {
  const lastPerRate = (run: SystemResult) => [...new Map(run.capacity_steps.map((s) => [s.target_sends_per_s, s])).values()];
  const x = { label: "offered load", unit: "sends/s" };
  return [
    {
      title: "Signaling throughput",
      x,
      y: { label: "delivered chat events", unit: "per s" },
      series: systems.map(({ system, run }) => ({ system, points: lastPerRate(run).map((s): [number, number] => [s.target_sends_per_s, s.delivered_per_s]) })),
    },
    {
      title: "Signaling p99 latency",
      x,
      y: { label: "p99 send to delivery", unit: "ms" },
      series: systems.map(({ system, run }) => ({ system, points: lastPerRate(run).map((s): [number, number] => [s.target_sends_per_s, s.p99_ms]) })),
    },
  ];
}

// a run that hangs must not hang a terminal or CI: stopped once it takes far longer than every step would
run(main, (900 + 2 * (SECONDS + (MAX_STEPS + REFINE) * (RETRIES + 1) * (STEP_SECONDS + 5))) * 1000);

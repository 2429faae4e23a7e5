// bench:sfu: our SFU's capacity, and the same WebRTC load through Janus VideoRoom in the same run.
//
// 1. Capacity: the highest load (consumer streams, packets/s) forwarded with under --max-loss % loss, found
//    step by step (scripts/bench/sfuCapacity.ts): each step is one run of sfu-step.ts (synthetic VP8
//    simulcast + opus over plain RTP from --producers producers to N consumer peers), one mediasoup worker
//    pinned to --sfu-cores and the generator/receivers to --generator-cores.
// 2. Side by side: sfu-webrtc.ts (werift WebRTC: one VP8 publisher, N subscribers) through our SFU, Janus
//    at its defaults and Janus with event_loops = 1, --runs interleaved runs each, median packets/s per
//    100% SFU CPU; ratio_vs_janus = ours over Janus's. Janus missing or not starting: `unavailable`.
//
//   npm run bench:sfu -- [--producers 8] [--start 20] [--max 400] [--step-seconds 10] [--max-loss 0.5]
//                        [--compare-subscribers 60] [--runs 3] [--compare-seconds 10] [--skip-capacity] [--skip-janus]
//
// Progress goes to stderr; the last line of stdout is the benchmark JSON (see the README, "Benchmarks").
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureDebianBinary } from "../lib/debianPackage.ts";
import { isRoot, run } from "../lib/run.ts";
import { numberOption } from "./args.ts";
import { capacity, machine, median, nextLoad, ppsPerCore, ratioVsPeer, round, unavailable, type SearchOptions, type Unavailable } from "./sfuCapacity.ts";

const { values: args } = parseArgs({
  options: {
    producers: { type: "string", default: "8" },
    start: { type: "string", default: "20" },
    max: { type: "string", default: "400" },
    "step-seconds": { type: "string", default: "10" },
    "max-loss": { type: "string", default: "0.5" },
    "compare-subscribers": { type: "string", default: "60" },
    runs: { type: "string", default: "3" },
    "compare-seconds": { type: "string", default: "10" },
    "sfu-cores": { type: "string", default: "0" },
    "generator-cores": { type: "string", default: "1" },
    "skip-capacity": { type: "boolean", default: false },
    "skip-janus": { type: "boolean", default: false },
  },
});
const log = (line: string) => process.stderr.write(`[bench:sfu] ${line}\n`);
const PRODUCERS = numberOption(args, "producers", 1);
const RUNS = numberOption(args, "runs", 1);
const MAX_LOSS = numberOption(args, "max-loss", 0, false);
const COMPARE_SUBSCRIBERS = String(args["compare-subscribers"]).split(",").map(Number);
if (COMPARE_SUBSCRIBERS.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error("--compare-subscribers takes positive integers, e.g. 30,60");
  process.exit(2);
}
const pinning = ["--sfu-cores", String(args["sfu-cores"]), "--generator-cores", String(args["generator-cores"])];
const scripts = path.dirname(new URL(import.meta.url).pathname);

/**
 * Runs one child benchmark script and returns the JSON object of its last stdout line. As root the child
 * (and the SFU it starts, which inherits it) runs at nice -10: measured here, parallel test runs (load
 * average 22 on 2 cores) starved the pinned generator until 3k pps lost 8%, which says nothing of the SFU.
 */
async function child(script: string, childArgs: string[]): Promise<Record<string, number | string>> {
  const command = [process.execPath, "--import", "tsx", path.join(scripts, script), ...childArgs, ...pinning];
  const [cmd, ...cmdArgs] = isRoot() ? ["nice", "-n", "-10", ...command] : command;
  const result = await run(cmd!, cmdArgs, { stdio: ["ignore", "pipe", "inherit"] });
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  if (result.code !== 0 || !last.startsWith("{")) throw new Error(`${script} ${childArgs.join(" ")} exited with ${result.code}`);
  return JSON.parse(last) as Record<string, number | string>;
}

interface CapacityStep {
  load: number;
  lossPct: number;
  consumerStreams: number;
  pps: number;
  cpuPct: number;
  udpRcvbufErrors: number;
}

async function capacitySearch(): Promise<{ steps: CapacityStep[]; options: SearchOptions }> {
  const options: SearchOptions = { start: numberOption(args, "start", 1), growth: 2, maxLossPct: MAX_LOSS, min: 1, max: numberOption(args, "max", 1), resolution: 0.1 };
  const steps: CapacityStep[] = [];
  for (let load = nextLoad(steps, options); load !== null; load = nextLoad(steps, options)) {
    log(`capacity step: ${PRODUCERS} producers x ${load} consumer peers`);
    const r = await child("sfu-step.ts", [
      "--producers",
      String(PRODUCERS),
      "--consumers",
      String(load),
      "--seconds",
      String(args["step-seconds"]),
      "--warmup",
      "3",
      "--workers",
      "1",
    ]);
    const step = {
      load,
      lossPct: Number(r.loss_pct),
      consumerStreams: Number(r.consumer_streams),
      pps: Number(r.pps),
      cpuPct: Number(r.cpu_pct),
      udpRcvbufErrors: Number(r.udp_rcvbuf_errors),
    };
    log(`  -> ${step.consumerStreams} consumer streams, ${step.pps} pps, loss ${step.lossPct}%, SFU CPU ${step.cpuPct}%`);
    steps.push(step);
  }
  return { steps, options };
}

interface Comparison {
  system: string;
  subscribers: number;
  runs: Array<{ pps: number; loss_pct: number; sfu_cpu_pct: number; generator_cpu_pct: number }>;
  pps_per_core: number | null;
  loss_pct: number | null;
}

async function sideBySide(missing: Unavailable[]): Promise<Comparison[]> {
  const systems = [{ name: "qualmeet", args: ["--system", "qualmeet"] }];
  if (!args["skip-janus"]) {
    try {
      await ensureDebianBinary("janus", "janus", { log });
      systems.push({ name: "janus defaults", args: ["--system", "janus"] }, { name: "janus event_loops=1", args: ["--system", "janus", "--event-loops", "1"] });
    } catch (error) {
      missing.push(unavailable("janus", error));
    }
  }
  const comparisons: Comparison[] = [];
  for (const subscribers of COMPARE_SUBSCRIBERS) {
    const bySystem = new Map(systems.map((s) => [s.name, { system: s.name, subscribers, runs: [] as Comparison["runs"] }]));
    for (let runIndex = 0; runIndex < RUNS; runIndex++) {
      // interleaved: each run measures every system once, so a noisy moment hits all of them
      for (const system of systems) {
        log(`side by side: ${system.name}, ${subscribers} subscribers, run ${runIndex + 1}/${RUNS}`);
        try {
          const r = await child("sfu-webrtc.ts", [...system.args, "--subscribers", String(subscribers), "--seconds", String(args["compare-seconds"])]);
          bySystem
            .get(system.name)!
            .runs.push({ pps: Number(r.pps), loss_pct: Number(r.loss_pct), sfu_cpu_pct: Number(r.sfu_cpu_pct), generator_cpu_pct: Number(r.generator_cpu_pct) });
        } catch (error) {
          if (system.name === "qualmeet") throw error;
          if (!missing.some((m) => m.system === system.name)) missing.push(unavailable(system.name, error));
        }
      }
    }
    for (const entry of bySystem.values()) {
      const perCore = entry.runs.map((r) => ppsPerCore(r.pps, r.sfu_cpu_pct)).filter((v): v is number => v !== null);
      const ppc = median(perCore);
      const loss = median(entry.runs.map((r) => r.loss_pct));
      comparisons.push({ ...entry, pps_per_core: ppc === null ? null : round(ppc, 0), loss_pct: loss });
    }
  }
  return comparisons;
}

async function main(): Promise<void> {
  const missing: Unavailable[] = [];
  const search = args["skip-capacity"] ? null : await capacitySearch();
  const comparisons = await sideBySide(missing);
  const found = search ? capacity(search.steps, search.options) : null;
  const at = (system: string, subscribers: number) => comparisons.find((c) => c.system === system && c.subscribers === subscribers)?.pps_per_core ?? null;
  const top = Math.max(...COMPARE_SUBSCRIBERS);
  const ratio = (janus: string) => {
    const value = ratioVsPeer(at("qualmeet", top), at(janus, top));
    return value === null ? null : round(value, 2);
  };
  const results = {
    capacity: found
      ? {
          producers: PRODUCERS,
          consumer_peers: found.load,
          consumer_streams: found.consumerStreams,
          pps: found.pps,
          sfu_cpu_pct: found.cpuPct,
          loss_pct: found.lossPct,
          max_loss_pct: MAX_LOSS,
        }
      : null,
    capacity_steps: search?.steps ?? [],
    side_by_side: comparisons,
    ratio_vs_janus: { defaults: ratio("janus defaults"), event_loops_1: ratio("janus event_loops=1"), subscribers: top },
    pinning: { sfu_cores: args["sfu-cores"], generator_cores: args["generator-cores"] },
  };
  const charts = [
    ...(search
      ? [
          {
            title: `SFU capacity search: loss against load (${PRODUCERS} producers, plain RTP, one worker)`,
            x: { label: "forwarded packets per second", unit: "pps" },
            y: { label: "loss", unit: "%" },
            series: [{ system: "qualmeet", points: [...search.steps].sort((a, b) => a.pps - b.pps).map((s) => [s.pps, s.lossPct]) }],
          },
        ]
      : []),
    {
      title: "Packets per second per 100% SFU CPU, same WebRTC load (median of interleaved runs)",
      x: { label: "subscribers", unit: "subscribers" },
      y: { label: "packets per second per core", unit: "pps/core" },
      series: [...new Set(comparisons.map((c) => c.system))].map((system) => ({
        system,
        points: comparisons.filter((c) => c.system === system && c.pps_per_core !== null).map((c) => [c.subscribers, c.pps_per_core]),
      })),
    },
  ];
  const report = { bench: "sfu", machine: machine(), date: new Date().toISOString(), results, charts, ...(missing.length > 0 ? { unavailable: missing } : {}) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

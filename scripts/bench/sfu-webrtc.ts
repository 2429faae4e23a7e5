// One run of bench:sfu's side-by-side comparison (scripts/bench/sfu.ts runs it, interleaved per system):
// the same WebRTC load (werift, scripts/bench/webrtcLoad.ts: one VP8 publisher, N subscribers) through our
// SFU or through Janus VideoRoom, the SFU pinned to --sfu-cores and this process (the generator) to
// --generator-cores, the SFU's CPU read from /proc/<pid>/stat.
//
//   node --import tsx scripts/bench/sfu-webrtc.ts --system qualmeet|janus [--event-loops N] --subscribers 60
//        --seconds 10 --warmup 3 --sfu-cores 0 --generator-cores 1
//
// Last line of stdout: {"system", "subscribers", "pps", "loss_pct", "sfu_cpu_pct", ...}.
import { parseArgs } from "node:util";
import { Room, WorkerPool } from "../../packages/media/src/index.ts";
import { numberOption } from "./args.ts";
import { startJanus, janusSignaling, type JanusServer } from "./janus.ts";
import { mediasoupSignaling } from "./mediasoupSignaling.ts";
import { pinToCores } from "./pin.ts";
import { procCpuMs, procRssMb } from "./procStats.ts";
import { round } from "./sfuCapacity.ts";
import { gatherOnLoopback, WebRtcLoad, type SfuSignaling } from "./webrtcLoad.ts";

const { values: args } = parseArgs({
  options: {
    system: { type: "string", default: "qualmeet" },
    "event-loops": { type: "string", default: "0" },
    subscribers: { type: "string", default: "60" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    fps: { type: "string", default: "30" },
    "packets-per-frame": { type: "string", default: "4" },
    "packet-bytes": { type: "string", default: "1000" },
    "sfu-cores": { type: "string", default: "" },
    "generator-cores": { type: "string", default: "" },
  },
});
const system = String(args.system);
if (system !== "qualmeet" && system !== "janus") {
  console.error("--system is qualmeet or janus");
  process.exit(2);
}
const SUBSCRIBERS = numberOption(args, "subscribers", 1);
const SECONDS = numberOption(args, "seconds", 1);
const WARMUP = numberOption(args, "warmup", 0);
const EVENT_LOOPS = numberOption(args, "event-loops", 0);
const log = (line: string) => process.stderr.write(`[bench:sfu ${system}] ${line}\n`);

async function main(): Promise<void> {
  gatherOnLoopback();
  let sfuPid: number;
  let signaling: SfuSignaling;
  let stop: () => Promise<void>;
  let janus: JanusServer | undefined;
  if (system === "qualmeet") {
    const pool = await WorkerPool.create({ numWorkers: 1, logLevel: "warn", listenIp: "127.0.0.1" });
    const room = await Room.create({ pool, id: "bench", listenIp: "127.0.0.1" });
    sfuPid = pool.workers[0]!.pid;
    signaling = mediasoupSignaling(room);
    stop = async () => {
      room.close();
      await pool.close();
    };
  } else {
    janus = await startJanus({ eventLoops: EVENT_LOOPS, log });
    sfuPid = janus.pid;
    signaling = await janusSignaling(janus.url);
    stop = () => janus!.stop();
  }
  await pinToCores(sfuPid, String(args["sfu-cores"]));
  await pinToCores(process.pid, String(args["generator-cores"]));
  const load = new WebRtcLoad({
    subscribers: SUBSCRIBERS,
    fps: numberOption(args, "fps", 1),
    packetsPerFrame: numberOption(args, "packets-per-frame", 1),
    packetBytes: numberOption(args, "packet-bytes", 100),
  });
  try {
    await load.start(signaling, log);
    log(`${SUBSCRIBERS} subscribers receive; warming up ${WARMUP}s`);
    await new Promise((resolve) => setTimeout(resolve, WARMUP * 1000));
    const first = { at: performance.now(), totals: load.totals(), sfuCpuMs: procCpuMs(sfuPid), nodeCpu: process.cpuUsage() };
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const last = { at: performance.now(), totals: load.totals(), sfuCpuMs: procCpuMs(sfuPid), nodeCpu: process.cpuUsage(first.nodeCpu) };
    const dt = (last.at - first.at) / 1000;
    const expected = last.totals.expected - first.totals.expected;
    const received = last.totals.received - first.totals.received;
    const result = {
      system: system === "janus" ? (EVENT_LOOPS > 0 ? `janus event_loops=${EVENT_LOOPS}` : "janus defaults") : "qualmeet",
      subscribers: SUBSCRIBERS,
      connected: last.totals.connected,
      seconds: round(dt),
      sent_pps: round((last.totals.sent - first.totals.sent) / dt),
      pps: round(received / dt),
      loss_pct: round(expected > 0 ? (Math.max(0, expected - received) / expected) * 100 : 0, 3),
      sfu_cpu_pct: round((last.sfuCpuMs - first.sfuCpuMs) / 10 / dt),
      sfu_rss_mb: round(procRssMb(sfuPid)),
      generator_cpu_pct: round((last.nodeCpu.user + last.nodeCpu.system) / 1000 / 10 / dt),
    };
    log(JSON.stringify(result));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await load.close().catch((error: unknown) => log(`closing the load: ${String(error)}`));
    await stop();
  }
}

const watchdog = setTimeout(
  () => {
    console.error(`[bench:sfu ${system}] timed out`);
    process.exit(1);
  },
  (90 + SUBSCRIBERS + WARMUP + SECONDS) * 1000,
);
watchdog.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

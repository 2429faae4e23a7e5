// bench:meeting: one SFU meeting of N synthetic participants on one pinned mediasoup worker, for each N of
// --sizes. Every participant publishes VP8 simulcast (3 layers as separate SSRCs) + opus over a
// PlainTransport through packages/media (Room/Peer), and receives on its own UDP socket (receiver threads):
//   - everyone's audio; --speakers participants talk (50 packets/s), the others are silent and send opus DTX
//     (one frame per 400 ms), as our client publishes opus with DTX;
//   - the video of --tiles participants (its visible tiles: the next ones round-robin, as a first page would),
//     at spatial layer --tile-layer (setPreferredLayers, as our client asks by tile height: layerForHeight
//     gives layer 1 for a 3x3 grid's ~330 px tile at device pixel ratio 1);
//   - the video of everyone else consumed but paused: our client (sfuConsumers.ts) consumes every producer
//     and pauses the consumers of tiles that are off the page.
// Measured over --seconds after --warmup: packets/s forwarded, loss from sequence gaps overall and of the
// worst stream, the worker's CPU (100 = one core, /proc/<pid>/stat) and RSS, and participants per core =
// N / (worker CPU / 100). The worker and this process (generator + receivers) are pinned to different cores.
//
//   npm run bench:meeting -- [--sizes 10,20,30,40,50] [--seconds 20] [--warmup 4] [--tiles 9] [--tile-layer 1]
//                            [--speakers 3] [--video-kbps 150,500,1200] [--sfu-cores 0] [--generator-cores 1]
//
// Progress goes to stderr; the last line of stdout is the benchmark JSON (see the README, "Benchmarks").
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { Room, WorkerPool } from "../../packages/media/src/index.ts";
import { noBweCapabilities, opusParameters, vp8SimulcastParameters } from "../../packages/media/src/test-helpers.ts";
import { isRoot } from "../lib/run.ts";
import { numberOption } from "./args.ts";
import { ParticipantSender, type MediaShape } from "./meetingMedia.ts";
import { SinkThreads, type SinkTotals } from "./sinkThreads.ts";
import { participantsPerCore, streamLoss, visibleTiles } from "./meetingPlan.ts";
import { pinToCores } from "./pin.ts";
import { procCpuMs, procRssMb } from "./procStats.ts";
import { machine, round } from "./sfuCapacity.ts";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,20,30,40,50" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "4" },
    tiles: { type: "string", default: "9" },
    "tile-layer": { type: "string", default: "1" },
    speakers: { type: "string", default: "3" },
    // our client's camera encodings (apps/web/src/lib/media/simulcast.ts): 150, 500 and 1,200 kbps
    "video-kbps": { type: "string", default: "150,500,1200" },
    fps: { type: "string", default: "30" },
    "packet-bytes": { type: "string", default: "1100" },
    "sink-threads": { type: "string", default: "1" },
    "max-loss": { type: "string", default: "1" },
    "sfu-cores": { type: "string", default: "0" },
    "generator-cores": { type: "string", default: "1" },
  },
});
const log = (line: string) => process.stderr.write(`[bench:meeting] ${line}\n`);
const SECONDS = numberOption(args, "seconds", 1);
const WARMUP = numberOption(args, "warmup", 0);
const TILES = numberOption(args, "tiles", 0);
const TILE_LAYER = numberOption(args, "tile-layer", 0);
const SPEAKERS = numberOption(args, "speakers", 0);
const SINK_THREADS = numberOption(args, "sink-threads", 1);
const MAX_LOSS = numberOption(args, "max-loss", 0, false);
const SIZES = String(args.sizes).split(",").map(Number);
const SHAPE: MediaShape = {
  layerKbps: String(args["video-kbps"]).split(",").map(Number),
  fps: numberOption(args, "fps", 1),
  maxPacketBytes: numberOption(args, "packet-bytes", 100),
};
if (SIZES.some((n) => !Number.isInteger(n) || n < 2)) {
  console.error("--sizes takes integers >= 2, e.g. 10,20,30,40,50");
  process.exit(2);
}
if (SHAPE.layerKbps.length !== 3 || SHAPE.layerKbps.some((k) => !(k > 0)) || TILE_LAYER > 2) {
  console.error("--video-kbps takes three positive numbers (e.g. 150,500,1200) and --tile-layer is 0, 1 or 2");
  process.exit(2);
}

interface Sample {
  at: number;
  receivers: SinkTotals;
  sent: number;
  workerCpuMs: number;
  nodeCpuMs: number;
}

interface MeetingResult {
  participants: number;
  consumers: number;
  consumers_paused: number;
  streams_received: number;
  pps: number;
  sent_pps: number;
  mbps: number;
  video_pps_per_tile: number;
  loss_pct: number;
  worst_stream_loss_pct: number;
  sfu_cpu_pct: number;
  sfu_rss_mb: number;
  participants_per_core: number | null;
  node_cpu_pct: number;
  keyframe_requests: number;
  udp_rcvbuf_errors_machine: number;
  generator_skipped: number;
  stray_packets: number;
  setup_s: number;
}

async function meeting(participants: number): Promise<MeetingResult> {
  const pool = await WorkerPool.create({ numWorkers: 1, logLevel: "warn" });
  const workerPid = pool.workers[0]!.pid;
  await pinToCores(workerPid, String(args["sfu-cores"]));
  // one router: a meeting this size fits one worker, and piping between routers of one worker only costs CPU
  const room = await Room.create({ pool, id: `meeting-${participants}`, listenIp: "127.0.0.1", maxConsumersPerRouter: 100_000 });
  const receivers = await SinkThreads.create(participants, SINK_THREADS);
  const senders: ParticipantSender[] = [];
  let timer: NodeJS.Timeout | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    const setupStart = performance.now();
    const published: Array<{ video: string; audio: string }> = [];
    for (let i = 0; i < participants; i++) {
      const peer = room.addPeer(`participant-${i}`);
      const transport = await peer.createPlainTransport("send", { comedia: true });
      const sender = new ParticipantSender(i, i < SPEAKERS, SHAPE, transport);
      senders.push(sender);
      const video = await peer.produce({ transportId: transport.id, kind: "video", rtpParameters: vp8SimulcastParameters(sender.ssrcs, `p${i}`), source: "camera" });
      const audio = await peer.produce({ transportId: transport.id, kind: "audio", rtpParameters: opusParameters(sender.audio.ssrc, `p${i}`), source: "mic" });
      published.push({ video: video.producerId, audio: audio.producerId });
    }
    // every participant consumes every other one's audio and video before the traffic starts (setting up
    // thousands of consumers on a loaded worker is slow, and the set-up is not what we measure)
    const capabilities = noBweCapabilities(room.rtpCapabilities);
    let paused = 0;
    let visibleStreams = 0;
    for (let i = 0; i < participants; i++) {
      const peer = room.getPeer(`participant-${i}`);
      const transport = await peer.createPlainTransport("recv");
      await peer.connectPlainTransport(transport.id, { ip: "127.0.0.1", port: receivers.port(i) });
      const visible = new Set(visibleTiles(i, participants, TILES));
      for (let j = 0; j < participants; j++) {
        if (j === i) continue;
        const audio = await peer.consume({ transportId: transport.id, producerId: published[j]!.audio, rtpCapabilities: capabilities });
        const video = await peer.consume({ transportId: transport.id, producerId: published[j]!.video, rtpCapabilities: capabilities });
        receivers.register(i, ssrcOf(audio));
        await peer.resumeConsumer(audio.consumerId);
        if (visible.has(j)) {
          receivers.register(i, ssrcOf(video));
          await peer.setPreferredLayers(video.consumerId, { spatialLayer: TILE_LAYER, temporalLayer: 2 });
          await peer.resumeConsumer(video.consumerId);
          visibleStreams++;
        } else {
          paused++; // consumed paused (Peer.consume), as our client keeps a tile off the page
        }
      }
    }
    const setupS = (performance.now() - setupStart) / 1000;
    log(`${participants} participants: ${room.consumerCount()} consumers (${paused} paused) set up in ${setupS.toFixed(1)}s; warming up ${WARMUP}s`);

    const start = performance.now();
    const startWallClockMs = Date.now();
    timer = setInterval(() => {
      const elapsed = performance.now() - start;
      for (const s of senders) s.sendDue(elapsed, startWallClockMs + elapsed);
    }, 5);
    const sample = async (): Promise<Sample> => {
      const totals = await receivers.snapshot({ streams: true });
      const cpu = process.cpuUsage();
      return {
        at: performance.now(),
        receivers: totals,
        sent: senders.reduce((n, s) => n + s.sentPackets, 0),
        workerCpuMs: procCpuMs(workerPid),
        nodeCpuMs: (cpu.user + cpu.system) / 1000,
      };
    };
    const cpuPct = (a: Sample, b: Sample, ms: (s: Sample) => number) => (ms(b) - ms(a)) / 10 / ((b.at - a.at) / 1000);

    await new Promise((resolve) => setTimeout(resolve, WARMUP * 1000));
    const rcvbufFirst = udpRcvbufErrors();
    const first = await sample();
    let previous = first;
    progress = setInterval(() => {
      void sample().then((now) => {
        const loss = streamLoss(previous.receivers.streams, now.receivers.streams);
        log(
          `  t=${((now.at - first.at) / 1000).toFixed(0)}s pps=${((now.receivers.packets - previous.receivers.packets) / ((now.at - previous.at) / 1000)).toFixed(0)} ` +
            `loss=${loss.lossPct.toFixed(2)}% worst=${loss.worstStreamLossPct.toFixed(1)}% sfu_cpu=${cpuPct(previous, now, (s) => s.workerCpuMs).toFixed(1)}% ` +
            `node_cpu=${cpuPct(previous, now, (s) => s.nodeCpuMs).toFixed(1)}%`,
        );
        previous = now;
      });
    }, 2000);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    clearInterval(progress);
    const last = await sample();
    const rcvbufLast = udpRcvbufErrors();
    clearInterval(timer);

    const dt = (last.at - first.at) / 1000;
    const loss = streamLoss(first.receivers.streams, last.receivers.streams);
    const pps = (last.receivers.packets - first.receivers.packets) / dt;
    const audioPps = senders.reduce((n, s) => n + (s.speaking ? 50 : 2.5), 0) * (participants - 1);
    const sfuCpu = cpuPct(first, last, (s) => s.workerCpuMs);
    // a meeting that lost packets was not carried: its CPU says how much a starved worker got, not what it needs
    const perCore = loss.lossPct < MAX_LOSS ? participantsPerCore(participants, sfuCpu) : null;
    return {
      participants,
      consumers: room.consumerCount(),
      consumers_paused: paused,
      streams_received: last.receivers.streams.length / 2,
      pps: round(pps),
      sent_pps: round((last.sent - first.sent) / dt),
      mbps: round(((last.receivers.bytes - first.receivers.bytes) * 8) / dt / 1e6),
      // with 150,500,1200 kbps at 30 fps in 1,100-byte packets: 30 (layer 0), 60 (layer 1), 150 (layer 2)
      video_pps_per_tile: round(visibleStreams > 0 ? (pps - audioPps) / visibleStreams : 0),
      loss_pct: round(loss.lossPct, 3),
      worst_stream_loss_pct: round(loss.worstStreamLossPct, 2),
      sfu_cpu_pct: round(sfuCpu),
      sfu_rss_mb: round(procRssMb(workerPid)),
      participants_per_core: perCore === null ? null : round(perCore),
      node_cpu_pct: round(cpuPct(first, last, (s) => s.nodeCpuMs)),
      keyframe_requests: senders.reduce((n, s) => n + s.keyframeRequests, 0),
      // datagrams the kernel dropped for a full receive buffer, every socket of the machine (ours among them)
      udp_rcvbuf_errors_machine: rcvbufLast - rcvbufFirst,
      // frames and audio packets the starved generator skipped instead of bursting them (meetingMedia.ts)
      generator_skipped: senders.reduce((n, s) => n + s.skipped, 0),
      stray_packets: last.receivers.stray,
      setup_s: round(setupS),
    };
  } finally {
    clearInterval(timer);
    clearInterval(progress);
    for (const s of senders) s.close();
    room.close();
    await pool.close();
    await receivers.close();
  }
}

/** The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets of the machine). */
function udpRcvbufErrors(): number {
  const [names, values] = readFileSync("/proc/net/snmp", "utf8")
    .split("\n")
    .filter((l) => l.startsWith("Udp:"))
    .map((l) => l.split(/\s+/));
  return Number(values?.[names?.indexOf("RcvbufErrors") ?? -1] ?? 0);
}

function ssrcOf(consumer: { rtpParameters: { encodings?: Array<{ ssrc?: number }> } }): number {
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  if (ssrc === undefined) throw new Error("consumer without SSRC");
  return ssrc;
}

async function main(): Promise<void> {
  // as root, the worker (spawned later, it inherits it) and this process run at nice -10: parallel test
  // runs on the 2 shared cores otherwise starve the pinned generator, and its loss says nothing of the SFU
  if (isRoot()) os.setPriority(-10);
  await pinToCores(process.pid, String(args["generator-cores"]));
  const rows: MeetingResult[] = [];
  for (const size of SIZES) {
    log(`meeting of ${size}: ${Math.min(TILES, size - 1)} tiles each at layer ${TILE_LAYER}, ${Math.min(SPEAKERS, size)} speaking`);
    const row = await meeting(size);
    log(
      `  -> ${row.pps} pps, loss ${row.loss_pct}% (worst stream ${row.worst_stream_loss_pct}%), SFU CPU ${row.sfu_cpu_pct}%, ` +
        `${row.participants_per_core ?? "?"} participants per core`,
    );
    rows.push(row);
  }
  // participants per core at the largest meeting under the loss limit (CPU per participant grows with N)
  const carried = rows.filter((r) => r.loss_pct < MAX_LOSS).reduce<MeetingResult | null>((best, r) => (best === null || r.participants > best.participants ? r : best), null);
  const results = {
    sizes: rows,
    participants_per_core: carried?.participants_per_core ?? null,
    at_participants: carried?.participants ?? null,
    max_loss_pct: MAX_LOSS,
    meeting: {
      tiles: TILES,
      tile_spatial_layer: TILE_LAYER,
      speakers: SPEAKERS,
      video_kbps: SHAPE.layerKbps,
      fps: SHAPE.fps,
      off_page_video: "consumed and paused (as apps/web sfuConsumers.ts does)",
      via: "packages/media Room/Peer (plain transports), one worker, one router",
    },
    seconds: SECONDS,
    warmup_s: WARMUP,
    pinning: { sfu_cores: args["sfu-cores"], generator_cores: args["generator-cores"] },
    scheduling: isRoot() ? "nice -10" : "default",
  };
  const points = (y: (r: MeetingResult) => number | null) => rows.map((r) => [r.participants, y(r)]);
  const charts = [
    {
      title: `SFU meeting: loss against participants (${TILES} visible tiles each, the rest paused)`,
      x: { label: "participants", unit: "participants" },
      y: { label: "loss", unit: "%" },
      series: [
        { system: "qualmeet", points: points((r) => r.loss_pct) },
        { system: "qualmeet (worst stream)", points: points((r) => r.worst_stream_loss_pct) },
      ],
    },
    {
      title: "SFU meeting: mediasoup worker CPU against participants (100% = one core)",
      x: { label: "participants", unit: "participants" },
      y: { label: "SFU CPU", unit: "%" },
      series: [{ system: "qualmeet", points: points((r) => r.sfu_cpu_pct) }],
    },
  ];
  process.stdout.write(`${JSON.stringify({ bench: "meeting", machine: machine(), date: new Date().toISOString(), results, charts })}\n`);
}

// a run that hangs (a worker stuck, a socket never answering) must not hang CI or a terminal
const watchdog = setTimeout(
  () => {
    console.error("[bench:meeting] timed out");
    process.exit(1);
  },
  SIZES.reduce((s, n) => s + 60 + (n * n) / 10 + WARMUP + SECONDS, 30) * 1000,
);
watchdog.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

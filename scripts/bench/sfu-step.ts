// One step of bench:sfu (scripts/bench/sfu.ts runs it at growing loads): synthetic RTP from P producers to
// C consumers through packages/media (Room/Peer), all on this machine. Producers: PlainTransports fed by a Node RTP generator (VP8 in 3 simulcast layers as
// separate SSRCs + opus). Consumers: PlainTransports (rtcpMux, comedia off) sending to local UDP sockets
// (in a receiver thread) that count packets and sequence gaps. Every consumer peer consumes every
// producer (video + audio), so C consumer peers are C x P x 2 mediasoup consumers. Consumers announce no
// bandwidth-estimation feedback, so each gets the top simulcast layer (~90 pps) + opus (50 pps).
//
//   node --import tsx scripts/bench/sfu-step.ts --producers 8 --consumers 150 --seconds 20
//   other flags: --warmup S --workers N --max-per-router N --video-kbps 150,350,700 --fps 30
//                --packet-bytes 1100 --sink-threads N --sfu-cores 0 --generator-cores 1
//
// cpu_pct is the mediasoup workers' CPU (100 = one core, from /proc/<pid>/stat), rss_mb their VmRSS;
// node_cpu_pct / node_rss_mb are this process (generator + receivers). The generator and the receivers
// saturate before the SFU on 2 cores, so with --sfu-cores / --generator-cores (taskset lists) the workers and
// this process run on different cores; at high rates the loss they cause still counts (see udp_rcvbuf_errors).
// Progress goes to stderr; the last line of stdout is one JSON object with the results.
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { Room, WorkerPool } from "../../packages/media/src/index.ts";
import { isRtcp, keyFrameRequests, rtpPacket, senderReport, vp8Payload } from "../../packages/media/src/synthetic-rtp.ts";
import { SinkThreads, type SinkTotals } from "./sinkThreads.ts";
import { noBweCapabilities, opusParameters, vp8SimulcastParameters } from "../../packages/media/src/test-helpers.ts";
import { numberOption } from "./args.ts";
import { procCpuMs, procRssMb } from "./procStats.ts";
import { pinToCores } from "./pin.ts";

const { values: args } = parseArgs({
  options: {
    producers: { type: "string", default: "8" },
    consumers: { type: "string", default: "150" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "4" },
    workers: { type: "string", default: String(Math.max(1, os.cpus().length)) },
    // one router (one worker) by default, so cpu_pct is one worker's; try 500 (the rooms' default) to spread
    // the room over workers with pipeToRouter
    "max-per-router": { type: "string", default: "100000" },
    "video-kbps": { type: "string", default: "150,350,700" },
    fps: { type: "string", default: "30" },
    "packet-bytes": { type: "string", default: "1100" },
    "sink-threads": { type: "string", default: "1" },
    // taskset core lists ("" = no pinning)
    "sfu-cores": { type: "string", default: "" },
    "generator-cores": { type: "string", default: "" },
  },
});

const intArg = (name: keyof typeof args, min: number): number => numberOption(args, name, min);

const P = intArg("producers", 1);
const C = intArg("consumers", 1);
const SECONDS = intArg("seconds", 1);
const WARMUP = intArg("warmup", 0);
const WORKERS = intArg("workers", 1);
const MAX_PER_ROUTER = intArg("max-per-router", 1);
const FPS = intArg("fps", 1);
const MAX_PACKET = intArg("packet-bytes", 100);
const SINK_THREADS = intArg("sink-threads", 1);
const LAYER_KBPS = String(args["video-kbps"]).split(",").map(Number);
if (LAYER_KBPS.length !== 3 || LAYER_KBPS.some((k) => !(k > 0))) {
  console.error("--video-kbps takes three positive numbers, e.g. 150,350,700");
  process.exit(2);
}
const KEYFRAME_INTERVAL_S = 2;
const AUDIO_PAYLOAD = 100; // 100 B x 50 pps = 40 kbps
const log = (msg: string) => process.stderr.write(`[bench:sfu] ${msg}\n`);

// ---------------------------------------------------------------------------------------------------
// process stats

// ---------------------------------------------------------------------------------------------------
// producers: a Node RTP generator per producer peer

interface VideoLayer {
  ssrc: number;
  packetsPerFrame: number;
  packetSize: number;
  seq: number;
  pictureId: number;
  tl0: number;
  frames: number;
  tsBase: number;
  keyframeWanted: boolean;
  packets: number;
  octets: number;
}

interface Generator {
  socket: dgram.Socket;
  port: number;
  ip: string;
  layers: VideoLayer[];
  audio: { ssrc: number; seq: number; packets: number; octets: number };
  /** Elapsed ms of the last round of sender reports. */
  lastReportMs: number;
  sentPackets: number;
  sentBytes: number;
  keyframeRequests: number;
}

function makeGenerator(index: number, ip: string, port: number): Generator {
  const base = 100_000 + index * 10;
  const layers = LAYER_KBPS.map((kbps, i): VideoLayer => {
    const bytesPerFrame = (kbps * 1000) / 8 / FPS;
    const packetsPerFrame = Math.max(1, Math.ceil(bytesPerFrame / MAX_PACKET));
    return {
      ssrc: base + 1 + i,
      packetsPerFrame,
      packetSize: Math.max(16, Math.round(bytesPerFrame / packetsPerFrame)),
      seq: Math.floor(Math.random() * 30000),
      pictureId: Math.floor(Math.random() * 30000),
      tl0: 0,
      frames: 0,
      tsBase: Math.floor(Math.random() * 2 ** 30),
      keyframeWanted: true,
      packets: 0,
      octets: 0,
    };
  });
  const socket = dgram.createSocket("udp4");
  const generator: Generator = {
    socket,
    ip,
    port,
    layers,
    audio: { ssrc: base + 4, seq: Math.floor(Math.random() * 30000), packets: 0, octets: 0 },
    lastReportMs: -Infinity,
    sentPackets: 0,
    sentBytes: 0,
    keyframeRequests: 0,
  };
  // mediasoup sends RTCP back to where our RTP came from (comedia): answer PLI/FIR with a key frame
  socket.on("message", (msg) => {
    if (!isRtcp(msg)) return;
    for (const ssrc of keyFrameRequests(msg)) {
      const layer = layers.find((l) => l.ssrc === ssrc);
      if (layer) {
        layer.keyframeWanted = true;
        generator.keyframeRequests++;
      }
    }
  });
  return generator;
}

function send(generator: Generator, packet: Buffer): void {
  generator.socket.send(packet, generator.port, generator.ip);
  generator.sentPackets++;
  generator.sentBytes += packet.length;
}

function sendDue(generator: Generator, elapsedMs: number): void {
  const dueFrames = Math.floor((elapsedMs * FPS) / 1000);
  for (const layer of generator.layers) {
    while (layer.frames < dueFrames) {
      const keyframe = layer.keyframeWanted || layer.frames % (FPS * KEYFRAME_INTERVAL_S) === 0;
      layer.keyframeWanted = false;
      const timestamp = layer.tsBase + Math.round((layer.frames * 90000) / FPS);
      layer.pictureId = (layer.pictureId + 1) & 0x7fff;
      layer.tl0 = (layer.tl0 + 1) & 0xff;
      for (let i = 0; i < layer.packetsPerFrame; i++) {
        const payload = vp8Payload({ pictureId: layer.pictureId, tl0PicIdx: layer.tl0, start: i === 0, keyframe, size: layer.packetSize });
        layer.seq = (layer.seq + 1) & 0xffff;
        layer.packets++;
        layer.octets += payload.length;
        send(generator, rtpPacket({ payloadType: 96, sequenceNumber: layer.seq, timestamp, ssrc: layer.ssrc, marker: i === layer.packetsPerFrame - 1, payload }));
      }
      layer.frames++;
    }
  }
  const dueAudio = Math.floor(elapsedMs / 20);
  const audio = generator.audio;
  const payload = Buffer.alloc(AUDIO_PAYLOAD, 0x33);
  while (audio.packets < dueAudio) {
    audio.seq = (audio.seq + 1) & 0xffff;
    send(generator, rtpPacket({ payloadType: 111, sequenceNumber: audio.seq, timestamp: audio.packets * 960, ssrc: audio.ssrc, payload }));
    audio.packets++;
    audio.octets += payload.length;
  }
  // sender reports twice a second: mediasoup switches simulcast layers only between streams it can sync
  if (elapsedMs - generator.lastReportMs >= 500) {
    generator.lastReportMs = elapsedMs;
    const wallClockMs = startWallClockMs + elapsedMs;
    for (const layer of generator.layers) {
      const rtpTimestamp = layer.tsBase + Math.round(elapsedMs * 90);
      generator.socket.send(senderReport({ ssrc: layer.ssrc, wallClockMs, rtpTimestamp, packetCount: layer.packets, octetCount: layer.octets }), generator.port, generator.ip);
    }
    const rtpTimestamp = Math.round(elapsedMs * 48);
    generator.socket.send(senderReport({ ssrc: audio.ssrc, wallClockMs, rtpTimestamp, packetCount: audio.packets, octetCount: audio.octets }), generator.port, generator.ip);
  }
}

let startWallClockMs = Date.now();

// ---------------------------------------------------------------------------------------------------
// consumers: UDP sockets in sink threads (sinkThreads.ts, so that receiving never stalls the generator's pacing)

interface Snapshot {
  at: number;
  sinks: SinkTotals;
  sent: number;
  workerCpuMs: Map<number, number>;
  nodeCpuMs: number;
}

async function main(): Promise<void> {
  log(`producers=${P} consumers=${C} seconds=${SECONDS} warmup=${WARMUP} workers=${WORKERS} max-per-router=${MAX_PER_ROUTER} sink-threads=${SINK_THREADS}`);
  const pool = await WorkerPool.create({ numWorkers: WORKERS, logLevel: "warn" });
  // pin before the receiver threads start, so that they inherit this process's cores
  for (const w of pool.workers) await pinToCores(w.pid, String(args["sfu-cores"]));
  await pinToCores(process.pid, String(args["generator-cores"]));
  const room = await Room.create({ pool, id: "bench", listenIp: "127.0.0.1", maxConsumersPerRouter: MAX_PER_ROUTER });
  const generators: Generator[] = [];
  const sinks = await SinkThreads.create(C, SINK_THREADS);
  let timer: NodeJS.Timeout | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    // producers
    const producerIds: string[] = [];
    for (let i = 0; i < P; i++) {
      const peer = room.addPeer(`producer-${i}`);
      const transport = await peer.createPlainTransport("send", { comedia: true });
      const generator = makeGenerator(i, transport.ip, transport.port);
      generators.push(generator);
      const [l0, l1, l2] = generator.layers;
      const video = await peer.produce({
        transportId: transport.id,
        kind: "video",
        rtpParameters: vp8SimulcastParameters([l0!.ssrc, l1!.ssrc, l2!.ssrc], `p${i}`),
        source: "camera",
      });
      const audio = await peer.produce({ transportId: transport.id, kind: "audio", rtpParameters: opusParameters(generator.audio.ssrc, `p${i}`), source: "mic" });
      producerIds.push(video.producerId, audio.producerId);
    }

    // consumers: every consumer peer consumes every producer (before the traffic starts: setting up
    // thousands of consumers on a loaded worker is slow, and the set-up is not what we measure)
    const setupStart = performance.now();
    const capabilities = noBweCapabilities(room.rtpCapabilities);
    let videoStreams = 0;
    for (let i = 0; i < C; i++) {
      const peer = room.addPeer(`consumer-${i}`);
      const transport = await peer.createPlainTransport("recv");
      await peer.connectPlainTransport(transport.id, { ip: "127.0.0.1", port: sinks.port(i) });
      for (const producerId of producerIds) {
        const consumer = await peer.consume({ transportId: transport.id, producerId, rtpCapabilities: capabilities });
        const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
        if (ssrc === undefined) throw new Error("consumer without SSRC");
        sinks.register(i, ssrc);
        if (consumer.kind === "video") videoStreams++;
        await peer.resumeConsumer(consumer.consumerId);
      }
      if ((i + 1) % 25 === 0 && i + 1 < C) log(`${i + 1}/${C} consumer peers (${((performance.now() - setupStart) / 1000).toFixed(1)}s)`);
    }
    const start = performance.now();
    startWallClockMs = Date.now();
    timer = setInterval(() => {
      const elapsed = performance.now() - start;
      for (const g of generators) sendDue(g, elapsed);
    }, 5);
    const workerPids = pool.workers.map((w) => w.pid);
    log(`set up ${P} producers, ${C} consumer peers, ${room.consumerCount()} consumers on ${room.routerCount()} router(s); warming up ${WARMUP}s`);

    const snapshot = async (): Promise<Snapshot> => {
      const totals = await sinks.snapshot();
      const cpu = process.cpuUsage();
      return {
        at: performance.now(),
        sinks: totals,
        sent: generators.reduce((n, g) => n + g.sentPackets, 0),
        workerCpuMs: new Map(workerPids.map((pid) => [pid, procCpuMs(pid)])),
        nodeCpuMs: (cpu.user + cpu.system) / 1000,
      };
    };
    const cpuPct = (a: Snapshot, b: Snapshot, pid: number) => ((b.workerCpuMs.get(pid) ?? 0) - (a.workerCpuMs.get(pid) ?? 0)) / 10 / ((b.at - a.at) / 1000);

    await new Promise((resolve) => setTimeout(resolve, WARMUP * 1000));
    const udpFirst = udpErrors();
    const first = await snapshot();
    let previous = first;
    const rssSamples: number[] = [];
    sampler = setInterval(() => {
      void snapshot().then((now) => {
        const dt = (now.at - previous.at) / 1000;
        const workerCpu = workerPids.reduce((sum, pid) => sum + cpuPct(previous, now, pid), 0);
        rssSamples.push(workerPids.reduce((sum, pid) => sum + procRssMb(pid), 0));
        const expected = now.sinks.expected - previous.sinks.expected;
        const lost = expected - (now.sinks.counted - previous.sinks.counted);
        log(
          `t=${((now.at - first.at) / 1000).toFixed(0)}s pps=${((now.sinks.packets - previous.sinks.packets) / dt).toFixed(0)} ` +
            `loss=${expected > 0 ? ((Math.max(0, lost) / expected) * 100).toFixed(2) : "0"}% sent_pps=${((now.sent - previous.sent) / dt).toFixed(0)} ` +
            `workers_cpu=${workerCpu.toFixed(1)}% node_cpu=${((now.nodeCpuMs - previous.nodeCpuMs) / 10 / dt).toFixed(1)}%`,
        );
        previous = now;
      });
    }, 1000);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    clearInterval(sampler);
    const last = await snapshot();
    const udpLast = udpErrors();
    clearInterval(timer);

    const dt = (last.at - first.at) / 1000;
    const loads = await pool.loads();
    const perWorker = workerPids.map((pid) => ({
      pid,
      cpu_pct: round(cpuPct(first, last, pid)),
      rss_mb: round(procRssMb(pid)),
      consumers: loads.find((l) => l.pid === pid)?.consumers ?? 0,
    }));
    const expected = last.sinks.expected - first.sinks.expected;
    const received = last.sinks.counted - first.sinks.counted;
    const pps = (last.sinks.packets - first.sinks.packets) / dt;
    const result = {
      producers: P,
      consumers: C,
      consumer_streams: room.consumerCount(),
      seconds: round(dt),
      via: "packages/media Room/Peer (plain transports)",
      workers: pool.workers.length,
      routers: room.routerCount(),
      sent_pps: round((last.sent - first.sent) / dt),
      pps: round(pps),
      mbps: round(((last.sinks.bytes - first.sinks.bytes) * 8) / dt / 1e6),
      // 90 when every consumer gets the top simulcast layer (30 fps x 3 packets), 30 for the lowest
      video_pps_per_stream: round(videoStreams > 0 ? (pps - C * P * 50) / videoStreams : 0),
      loss_pct: round(expected > 0 ? (Math.max(0, expected - received) / expected) * 100 : 0, 3),
      cpu_pct: round(perWorker.reduce((sum, w) => sum + w.cpu_pct, 0)),
      rss_mb: round(perWorker.reduce((sum, w) => sum + w.rss_mb, 0)),
      rss_mb_peak: round(Math.max(0, ...rssSamples)),
      node_cpu_pct: round((last.nodeCpuMs - first.nodeCpuMs) / 10 / dt),
      node_rss_mb: round(process.memoryUsage().rss / 1024 / 1024),
      per_worker: perWorker,
      udp_rcvbuf_errors: udpLast.rcvbufErrors - udpFirst.rcvbufErrors,
      udp_sndbuf_errors: udpLast.sndbufErrors - udpFirst.sndbufErrors,
      keyframe_requests: generators.reduce((n, g) => n + g.keyframeRequests, 0),
      stray_packets: last.sinks.stray,
      cpus: os.cpus().length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    clearInterval(timer);
    clearInterval(sampler);
    for (const g of generators) g.socket.close();
    room.close();
    await pool.close();
    await sinks.close();
  }
}

/** Kernel UDP counters (all sockets of the machine): datagrams dropped for a full receive or send buffer. */
function udpErrors(): { rcvbufErrors: number; sndbufErrors: number } {
  const lines = readFileSync("/proc/net/snmp", "utf8")
    .split("\n")
    .filter((l) => l.startsWith("Udp:"));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const get = (name: string) => Number(values[names.indexOf(name)] ?? 0);
  return { rcvbufErrors: get("RcvbufErrors"), sndbufErrors: get("SndbufErrors") };
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// a run that hangs (a worker stuck, a socket never answering) must not hang CI or a terminal
const watchdog = setTimeout(
  () => {
    console.error(`[bench:sfu] timed out`);
    process.exit(1);
  },
  (60 + (C * P) / 20 + WARMUP + SECONDS + 30) * 1000,
);
watchdog.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

// A thread of UDP sockets standing for consumer peers: it counts the RTP packets mediasoup forwards to
// them, per SSRC, with losses from sequence-number gaps. Driven by scripts/bench/sfu-step.ts and
// scripts/bench/meeting.ts through sinkThreads.ts (meeting.ts also asks for each stream's counts, for the worst stream's loss).
import dgram from "node:dgram";
import { parentPort, workerData } from "node:worker_threads";
import { StreamCounter } from "../../packages/media/src/synthetic-rtp.ts";

export type SinkRequest = { type: "register"; socket: number; ssrc: number } | { type: "snapshot"; id: number; streams?: boolean } | { type: "close" };

export type SinkReply =
  | { type: "ready"; ports: number[] }
  // streams (when asked for): [expected, counted] of every stream, flat, in registration order
  | { type: "snapshot"; id: number; packets: number; bytes: number; expected: number; counted: number; stray: number; streams?: number[] };

interface Sink {
  socket: dgram.Socket;
  counters: Map<number, StreamCounter>;
}

const { sockets: count } = workerData as { sockets: number };
const port = parentPort!;
const sinks: Sink[] = [];
let packets = 0;
let bytes = 0;
let stray = 0;

for (let i = 0; i < count; i++) {
  const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024 });
  const sink: Sink = { socket, counters: new Map() };
  socket.on("message", (msg) => {
    if (msg.length < 12) return;
    const pt = msg[1]!;
    if (pt >= 192 && pt <= 223) return; // RTCP (sender reports)
    const counter = sink.counters.get(msg.readUInt32BE(8));
    if (!counter) {
      stray++;
      return;
    }
    counter.onPacket(msg.readUInt16BE(2));
    packets++;
    bytes += msg.length;
  });
  sinks.push(sink);
}
await Promise.all(sinks.map((s) => new Promise<void>((resolve) => s.socket.bind(0, "127.0.0.1", resolve))));
port.postMessage({ type: "ready", ports: sinks.map((s) => s.socket.address().port) } satisfies SinkReply);

port.on("message", (request: SinkRequest) => {
  if (request.type === "register") {
    sinks[request.socket]?.counters.set(request.ssrc, new StreamCounter());
  } else if (request.type === "snapshot") {
    let expected = 0;
    let counted = 0;
    const streams: number[] = [];
    for (const sink of sinks) {
      for (const counter of sink.counters.values()) {
        expected += counter.expected;
        counted += counter.received;
        if (request.streams) streams.push(counter.expected, counter.received);
      }
    }
    port.postMessage({ type: "snapshot", id: request.id, packets, bytes, expected, counted, stray, ...(request.streams ? { streams } : {}) } satisfies SinkReply);
  } else if (request.type === "close") {
    for (const sink of sinks) sink.socket.close();
    port.close();
  }
});

// The receiving side of the SFU benchmarks (bench:sfu's sfu-step.ts, bench:meeting's meeting.ts): one UDP socket per
// consumer peer, spread over sink threads (sink-thread.ts) so that counting packets does not compete with the
// benchmark's own event loop.
import { Worker } from "node:worker_threads";
import type { SinkReply, SinkRequest } from "./sink-thread.ts";

export interface SinkTotals {
  packets: number;
  bytes: number;
  /** packets the registered streams should have received (sequence numbers) and did */
  expected: number;
  counted: number;
  /** packets of no registered stream */
  stray: number;
  /** with `snapshot({ streams: true })`: [expected, counted] of every stream, flat, in the same order every time */
  streams: number[];
}

type SnapshotReply = Extract<SinkReply, { type: "snapshot" }>;

export class SinkThreads {
  readonly #threads: Worker[] = [];
  /** Peer index -> [thread, socket index in that thread, port]. */
  readonly #sockets: Array<[Worker, number, number]> = [];
  #nextId = 0;
  readonly #pending = new Map<number, { replies: Map<Worker, SnapshotReply>; resolve: (totals: SinkTotals) => void }>();

  static async create(sockets: number, threads: number): Promise<SinkThreads> {
    const sinks = new SinkThreads();
    const perThread = Math.ceil(sockets / threads);
    for (let t = 0; t * perThread < sockets; t++) {
      const count = Math.min(perThread, sockets - t * perThread);
      const thread = new Worker(new URL("./sink-thread.ts", import.meta.url), { workerData: { sockets: count } });
      sinks.#threads.push(thread);
      const ports = await new Promise<number[]>((resolve, reject) => {
        thread.once("error", reject);
        thread.once("message", (reply: SinkReply) => (reply.type === "ready" ? resolve(reply.ports) : reject(new Error("sink thread not ready"))));
      });
      ports.forEach((port, index) => sinks.#sockets.push([thread, index, port]));
      thread.on("message", (reply: SinkReply) => sinks.#onReply(thread, reply));
    }
    return sinks;
  }

  port(peerIndex: number): number {
    return this.#sockets[peerIndex]![2];
  }

  register(peerIndex: number, ssrc: number): void {
    const [thread, socket] = this.#sockets[peerIndex]!;
    thread.postMessage({ type: "register", socket, ssrc } satisfies SinkRequest);
  }

  snapshot(options: { streams?: boolean } = {}): Promise<SinkTotals> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { replies: new Map(), resolve });
      for (const thread of this.#threads) thread.postMessage({ type: "snapshot", id, streams: options.streams } satisfies SinkRequest);
    });
  }

  #onReply(thread: Worker, reply: SinkReply): void {
    if (reply.type !== "snapshot") return;
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    pending.replies.set(thread, reply);
    if (pending.replies.size < this.#threads.length) return;
    this.#pending.delete(reply.id);
    // in thread order, so that the streams line up between snapshots
    const replies = this.#threads.map((t) => pending.replies.get(t)!);
    const sum = (key: "packets" | "bytes" | "expected" | "counted" | "stray") => replies.reduce((n, r) => n + r[key], 0);
    pending.resolve({
      packets: sum("packets"),
      bytes: sum("bytes"),
      expected: sum("expected"),
      counted: sum("counted"),
      stray: sum("stray"),
      streams: replies.flatMap((r) => r.streams ?? []),
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#threads.map(async (thread) => {
        thread.postMessage({ type: "close" } satisfies SinkRequest);
        await thread.terminate();
      }),
    );
  }
}

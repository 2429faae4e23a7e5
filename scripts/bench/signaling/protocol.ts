// Messages between scripts/bench/signaling.ts and its client threads (signaling/client-thread.ts).

export type System = "qualmeet" | "socketio";

export interface ClientSpec {
  /** global client index */
  id: number;
  meeting: number;
  /** ws://127.0.0.1:PORT of the node this client connects to */
  url: string;
  cookie?: string;
}

export interface MeetingSpec {
  index: number;
  /** QualMeet meeting code (the Socket.IO baseline uses `m<index>` as the room name) */
  code?: string;
  members: number;
}

export interface ThreadInit {
  system: System;
  origin: string;
  clients: ClientSpec[];
  meetings: MeetingSpec[];
  concurrency: number;
}

export type ThreadRequest = { type: "connect" } | { type: "run"; step: number; intervalMs: number; durationMs: number } | { type: "collect"; step: number } | { type: "close" };

export interface StepStats {
  step: number;
  sent: number;
  expected: number;
  delivered: number;
  /** deliveries whose sequence number was not above the last one seen from that sender */
  outOfOrder: number;
  sendErrors: number;
  errorSamples: string[];
  /** latency histogram (see histBucket); the last bucket collects everything above 60 s */
  hist: Uint32Array;
  maxMs: number;
  /** when the thread's pacing started / ended sending (ms, this thread's clock: only durations matter) */
  sendMs: number;
}

export type ThreadReply =
  | { type: "connected"; ok: number; failed: number; errors: string[]; ms: number }
  | { type: "ran"; step: number; sent: number; sendMs: number }
  | { type: "stats"; stats: StepStats }
  | { type: "closed" }
  | { type: "fatal"; error: string };

// Latency histogram: 0.1 ms buckets up to 1 s, 10 ms buckets up to 60 s, then one overflow bucket.
const FINE_MS = 0.1;
const FINE_BUCKETS = 10_000;
const COARSE_MS = 10;
const COARSE_BUCKETS = 5_900;
export const HIST_BUCKETS = FINE_BUCKETS + COARSE_BUCKETS + 1;

export function histBucket(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < FINE_BUCKETS * FINE_MS) return Math.floor(ms / FINE_MS);
  return Math.min(HIST_BUCKETS - 1, FINE_BUCKETS + Math.floor((ms - FINE_BUCKETS * FINE_MS) / COARSE_MS));
}

/** The upper edge of bucket `i` (Infinity for the overflow bucket). */
export function histBucketUpperMs(i: number): number {
  if (i < FINE_BUCKETS) return (i + 1) * FINE_MS;
  if (i < HIST_BUCKETS - 1) return FINE_BUCKETS * FINE_MS + (i - FINE_BUCKETS + 1) * COARSE_MS;
  return Infinity;
}

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

export type ThreadRequest =
  | { type: "connect" }
  | { type: "run"; step: number; intervalMs: number; durationMs: number }
  | { type: "collect"; step: number }
  | { type: "close" };

export interface StepStats {
  step: number;
  sent: number;
  expected: number;
  delivered: number;
  /** deliveries whose sequence number was not above the last one seen from that sender */
  outOfOrder: number;
  sendErrors: number;
  errorSamples: string[];
  /** latency histogram, HIST_BUCKET_MS wide buckets; the last one collects everything above */
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

export const HIST_BUCKET_MS = 0.1;
export const HIST_BUCKETS = 30_001; // 0..3000 ms, then overflow

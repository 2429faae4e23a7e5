// Command-line options of bench:signaling, the logger and the clean-up runner shared by its modules.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { numberOption } from "../args.ts";
import { benchCleanup } from "../cleanup.ts";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    "meeting-size": { type: "string", default: "10" },
    seconds: { type: "string", default: "60" },
    "step-seconds": { type: "string", default: "10" },
    warmup: { type: "string", default: "5" },
    "interval-ms": { type: "string", default: "1000" },
    threads: { type: "string", default: "2" },
    accounts: { type: "string" },
    "signin-concurrency": { type: "string", default: "6" },
    "p99-ms": { type: "string", default: "50" },
    "min-ratio": { type: "string", default: "0.9999" },
    refine: { type: "string", default: "4" },
    "max-steps": { type: "string", default: "10" },
    retries: { type: "string", default: "1" },
    "drain-ms": { type: "string", default: "3000" },
    "cross-node": { type: "string", default: "auto" },
    "media-workers": { type: "string", default: "1" },
    "no-baseline": { type: "boolean", default: false },
    profile: { type: "string" },
  },
});

const num = (name: keyof typeof args & string, min: number, integer = true): number => numberOption(args, name, min, integer);

export const CLIENTS = num("clients", 2);
export const MEETING_SIZE = num("meeting-size", 2);
export const SECONDS = num("seconds", 1);
export const STEP_SECONDS = num("step-seconds", 1);
export const WARMUP_SECONDS = num("warmup", 0);
export const BASE_INTERVAL = num("interval-ms", 1, false);
export const THREADS = num("threads", 1);
export const ACCOUNTS = Math.min(CLIENTS, args.accounts === undefined ? CLIENTS : num("accounts", 2));
export const SIGNIN_CONCURRENCY = num("signin-concurrency", 1);
export const P99_MS = num("p99-ms", 0, false);
export const MIN_RATIO = num("min-ratio", 0, false);
export const REFINE = num("refine", 0);
export const MAX_STEPS = num("max-steps", 1);
export const RETRIES = num("retries", 0);
export const DRAIN_MS = num("drain-ms", 0);
export const MAX_DRAIN_MS = 60_000;
export const MEDIA_WORKERS = num("media-workers", 1);
export const CROSS_NODE = String(args["cross-node"]);
if (!["auto", "on", "off"].includes(CROSS_NODE)) {
  console.error(`--cross-node is auto, on or off, got ${CROSS_NODE}`);
  process.exit(2);
}
export const NODES = 2;

/** NODE_OPTIONS that make a server write its V8 CPU profile into --profile DIR/<system> when it stops. */
export function profileEnv(system: "qualmeet" | "socketio"): Record<string, string> {
  if (!args.profile) return {};
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${path.resolve(args.profile, system)}`.trim() };
}
export const MEETINGS = Math.ceil(CLIENTS / MEETING_SIZE);

export const started = performance.now();
export const log = (msg: string) => process.stderr.write(`[bench:signaling ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

// clean-up of everything started here, also on errors and Ctrl-C

export const { onCleanup, run } = benchCleanup(log);

export const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

// The process's event counters (web app or realtime node): what happened since it started, as opposed to the live
// gauges of nodeMetrics/clusterMetrics. One set per process, kept on globalThis: Next bundles this package into its
// server code as a second module instance, and the web app's /metrics (server.ts) must read the same counters as the
// procedures the bundle runs. Labels are bounded: modes, procedure paths of our routers, error codes, limit scopes,
// never a user, meeting, address or message.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { MODES, type MeetingMode } from "./nodeMetrics.ts";

export { MODES, type MeetingMode };

/** How a connection that carries media got through: straight between the peers (or to the SFU), or via TURN. */
export const ICE_PATHS = ["direct", "relay"] as const;
export type IcePath = (typeof ICE_PATHS)[number];

/** A label value for a procedure path that is not one of the router's (a client may send any string). */
export const UNKNOWN_PROCEDURE = "unknown";

function create() {
  const registry = new Registry();
  const registers = [registry];
  // process_start_time_seconds (restarts, for the crash-loop alert), CPU, memory, event loop lag
  collectDefaultMetrics({ register: registry });
  // every mode's series exists from the start, so rates and ratios over them are defined before the first event
  const byMode = (metric: Counter<"mode">) => {
    for (const mode of MODES) metric.inc({ mode }, 0);
    return metric;
  };
  const join = new Histogram({
    name: "qualmeet_join_seconds",
    help: "From pressing Join to the first remote video frame (client reported), by mode",
    labelNames: ["mode"],
    buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 20, 30],
    registers,
  });
  for (const mode of MODES) join.zero({ mode });
  const iceConnections = new Counter({
    name: "qualmeet_ice_connections_total",
    help: "Media connections that delivered a first remote frame (client reported), by mode and path (direct or relay via TURN)",
    labelNames: ["mode", "path"],
    registers,
  });
  for (const mode of MODES) for (const path of ICE_PATHS) iceConnections.inc({ mode, path }, 0);
  return {
    registry,
    signaling: new Histogram({
      name: "qualmeet_signaling_seconds",
      help: "Realtime node: from a signaling request's arrival (room.*, media.*) to its answer, by procedure",
      labelNames: ["procedure"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    }),
    join,
    iceConnections,
    iceFailures: byMode(
      new Counter({ name: "qualmeet_ice_failures_total", help: "Media connections whose ICE failed (client reported), by mode", labelNames: ["mode"], registers }),
    ),
    iceRestarts: byMode(
      new Counter({ name: "qualmeet_ice_restarts_total", help: "ICE restarts clients started after a connection dropped, by mode", labelNames: ["mode"], registers }),
    ),
    turnIssued: new Counter({ name: "qualmeet_turn_credentials_issued_total", help: "TURN credentials handed out", registers }),
    turnRefused: new Counter({ name: "qualmeet_turn_quota_refusals_total", help: "TURN credentials refused: the account's daily quota was used up (STUN only)", registers }),
    chatDelivery: new Histogram({
      name: "qualmeet_chat_delivery_seconds",
      help: "Chat: from a message's acceptance (its createdAt, Redis clock) to its arrival at a recipient's node",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: "qualmeet_rate_limit_refusals_total",
      help: "Requests refused by a rate limit, by the limit's scope",
      labelNames: ["scope"],
      registers,
    }),
    dependencyErrors: new Counter({
      name: "qualmeet_dependency_errors_total",
      help: "Redis connection errors and calls failed because PostgreSQL or Redis was unreachable, by dependency",
      labelNames: ["dependency"],
      registers,
    }),
    workerDeaths: new Counter({ name: "qualmeet_mediasoup_worker_deaths_total", help: "mediasoup workers that died (each is replaced)", registers }),
    procedureErrors: new Counter({
      name: "qualmeet_trpc_errors_total",
      help: "tRPC calls answered with an error, by server, procedure and error code",
      labelNames: ["server", "procedure", "code"],
      registers,
    }),
  };
}

export type ServiceMetrics = ReturnType<typeof create>;

const slot = Symbol.for("qualmeet.serviceMetrics");
const holder = globalThis as unknown as { [slot]?: ServiceMetrics };

/** This process's counters (created on first use). */
export function serviceMetrics(): ServiceMetrics {
  return (holder[slot] ??= create());
}

/** Clamps a client-reported duration (ms) to what a histogram may take: a broken or hostile client skews nothing. */
export const clampedSeconds = (ms: number, maxMs: number) => Math.min(Math.max(ms, 0), maxMs) / 1000;

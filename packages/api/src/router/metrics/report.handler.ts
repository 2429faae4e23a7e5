import { MAX_JOIN_MS, type MediaReport } from "./report.schema.ts";
import { clampedSeconds, serviceMetrics } from "../../metrics/serviceMetrics.ts";

/** Adds a page's measurement to this process's counters (served at /metrics). */
export function reportMediaHandler({ input }: { input: MediaReport }): { recorded: true } {
  const metrics = serviceMetrics();
  if (input.kind === "join") {
    metrics.join.observe({ mode: input.mode }, clampedSeconds(input.ms, MAX_JOIN_MS));
    metrics.iceConnections.inc({ mode: input.mode, path: input.path });
  } else if (input.event === "failed") {
    metrics.iceFailures.inc({ mode: input.mode });
  } else {
    metrics.iceRestarts.inc({ mode: input.mode });
  }
  return { recorded: true };
}

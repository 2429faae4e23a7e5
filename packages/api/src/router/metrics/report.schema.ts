import { z } from "zod";
import { ICE_PATHS, MODES } from "../../metrics/serviceMetrics.ts";

/** Longer than this is a join that did not happen in one go: counted as this long. */
export const MAX_JOIN_MS = 120_000;

const mode = z.enum(MODES, { error: "mode is P2P or SFU" });

/** What a meeting page measured about its media (metrics only: nothing names the meeting or the person). */
export const mediaReportSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("join"),
    mode,
    /** from pressing Join to the first remote video frame; clamped to 0..MAX_JOIN_MS */
    ms: z.number().finite("ms must be a number of milliseconds"),
    /** whether the connection that carried it goes through TURN */
    path: z.enum(ICE_PATHS, { error: "path is direct or relay" }).default("direct"),
  }),
  z.object({ kind: z.literal("ice"), mode, event: z.enum(["failed", "restarted"], { error: "event is failed or restarted" }) }),
]);

export type MediaReport = z.infer<typeof mediaReportSchema>;

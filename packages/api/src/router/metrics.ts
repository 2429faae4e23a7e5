// Measurements only a browser can make (join time to the first remote frame, ICE failures and restarts), reported
// by the meeting page into the counters behind /metrics. One procedure, rate limited per person, values clamped.
import { access, createTRPCRouter, guestOrUserProcedure, rateLimit } from "../trpc.ts";
import { reportMediaHandler } from "./metrics/report.handler.ts";
import { mediaReportSchema } from "./metrics/report.schema.ts";

/** a page reports one join and a few ICE events per meeting: more is a broken or hostile client */
const reports = rateLimit({ scope: "metrics:report", capacity: 30, windowMs: 60_000 }, "media reports");

export const metricsRouter = createTRPCRouter({
  reportMedia: guestOrUserProcedure.meta(access("guest or user")).meta(reports).input(mediaReportSchema).mutation(reportMediaHandler),
});

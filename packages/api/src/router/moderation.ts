import { createTRPCRouter, guestOrUserProcedure, rateLimit, access } from "../trpc.ts";
import { acknowledgeNoticeHandler, appealHandler, banStatusHandler, blockHandler, challengeHandler, noticesHandler, reportHandler } from "./moderation/moderation.handler.ts";
import { acknowledgeNoticeSchema, appealSchema, blockSchema, personSchema, reportSchema } from "./moderation/moderation.schema.ts";

// a person meets many strangers an hour; more reports or blocks than this are a script's, and would flood the queue
const reports = rateLimit({ scope: "moderation:report", capacity: 30, windowMs: 60 * 60_000 }, "reports");
const blocks = rateLimit({ scope: "moderation:block", capacity: 60, windowMs: 60 * 60_000 }, "blocks");
const appeals = rateLimit({ scope: "moderation:appeal", capacity: 5, windowMs: 60 * 60_000 }, "appeals");
const lookups = rateLimit({ scope: "moderation:lookup", capacity: 60, windowMs: 60_000 }, "checks");

/** Served over WebSocket by the realtime server (reports and blocks are pressed during a random-chat call); moderators act in admin.* (HTTP). */
export const moderationRouter = createTRPCRouter({
  report: guestOrUserProcedure.meta(access("guest or user")).meta(reports).input(reportSchema).mutation(reportHandler),
  block: guestOrUserProcedure.meta(access("guest or user")).meta(blocks).input(blockSchema).mutation(blockHandler),
  banStatus: guestOrUserProcedure.meta(access("guest or user")).meta(lookups).input(personSchema).query(banStatusHandler),
  appeal: guestOrUserProcedure.meta(access("guest or user")).meta(appeals).input(appealSchema).mutation(appealHandler),
  challenge: guestOrUserProcedure.meta(access("guest or user")).meta(lookups).input(personSchema).mutation(challengeHandler),
  // what moderation tells the person at their next visit (a warning, an accepted appeal), until acknowledged
  notices: guestOrUserProcedure.meta(access("guest or user")).meta(lookups).input(personSchema).query(noticesHandler),
  acknowledgeNotice: guestOrUserProcedure.meta(access("guest or user")).meta(lookups).input(acknowledgeNoticeSchema).mutation(acknowledgeNoticeHandler),
});

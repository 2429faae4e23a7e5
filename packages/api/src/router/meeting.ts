import { createTRPCRouter, guestOrUserProcedure, protectedProcedure, publicProcedure, access } from "../trpc.ts";
import { createMeetingHandler } from "./meeting/create.handler.ts";
import { createMeetingSchema } from "./meeting/create.schema.ts";
import { meetingCodeLookups } from "./meeting/lookups.ts";
import { endMeetingHandler, getMeetingHandler, listMineHandler, meetingExistsHandler } from "./meeting/meeting.handler.ts";
import { byCodeSchema, listMineSchema } from "./meeting/meeting.schema.ts";

export const meetingRouter = createTRPCRouter({
  create: protectedProcedure.meta(access("user")).input(createMeetingSchema).mutation(createMeetingHandler),
  get: guestOrUserProcedure.meta(access("guest or user")).meta(meetingCodeLookups).input(byCodeSchema).query(getMeetingHandler),
  /** For /m/<code> before anyone signs in: whether the meeting exists, nothing about it. */
  exists: publicProcedure.meta(access("anyone")).meta(meetingCodeLookups).input(byCodeSchema).query(meetingExistsHandler),
  listMine: protectedProcedure.meta(access("user")).input(listMineSchema).query(listMineHandler),
  end: protectedProcedure.meta(access("user", "meeting host")).input(byCodeSchema).mutation(endMeetingHandler),
});

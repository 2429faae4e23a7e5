import { createTRPCRouter, guestOrUserProcedure, protectedProcedure, publicProcedure, access, tokenScope } from "../trpc.ts";
import { admitHandler, allowBackHandler, denyHandler, setAccessHandler } from "./meeting/access.handler.ts";
import { meetingPersonSchema, setAccessSchema } from "./meeting/access.schema.ts";
import { createMeetingHandler } from "./meeting/create.handler.ts";
import { createMeetingSchema } from "./meeting/create.schema.ts";
import { meetingCodeLookups } from "./meeting/lookups.ts";
import { endMeetingHandler, getMeetingHandler, listMineHandler, meetingExistsHandler } from "./meeting/meeting.handler.ts";
import { byCodeSchema, listMineSchema } from "./meeting/meeting.schema.ts";

export const meetingRouter = createTRPCRouter({
  create: protectedProcedure.meta(access("user")).meta(tokenScope("meetings:manage")).input(createMeetingSchema).mutation(createMeetingHandler),
  get: guestOrUserProcedure.meta(access("guest or user")).meta(tokenScope("meetings:manage")).meta(meetingCodeLookups).input(byCodeSchema).query(getMeetingHandler),
  /** For /m/<code> before anyone signs in: whether the meeting exists, nothing about it. */
  exists: publicProcedure.meta(access("anyone")).meta(meetingCodeLookups).input(byCodeSchema).query(meetingExistsHandler),
  listMine: protectedProcedure.meta(access("user")).meta(tokenScope("meetings:manage")).input(listMineSchema).query(listMineHandler),
  end: protectedProcedure.meta(access("user", "meeting host")).meta(tokenScope("meetings:manage")).input(byCodeSchema).mutation(endMeetingHandler),
  /** The host locks the meeting (nobody new joins) or turns its lobby on (newcomers wait to be let in), before or during it. */
  setAccess: protectedProcedure.meta(access("user", "meeting host")).meta(tokenScope("meetings:manage")).input(setAccessSchema).mutation(setAccessHandler),
  /** The host lets someone waiting in the lobby in, or turns them away. */
  admit: protectedProcedure.meta(access("user", "meeting host")).meta(tokenScope("meetings:manage")).input(meetingPersonSchema).mutation(admitHandler),
  deny: protectedProcedure.meta(access("user", "meeting host")).meta(tokenScope("meetings:manage")).input(meetingPersonSchema).mutation(denyHandler),
  /** The host lets someone they removed join (and read the meeting's chat) again. */
  allowBack: protectedProcedure.meta(access("user", "meeting host")).meta(tokenScope("meetings:manage")).input(meetingPersonSchema).mutation(allowBackHandler),
});

import { createTRPCRouter, guestOrUserProcedure, protectedProcedure, publicProcedure, access, rest, tokenScope, type RestRoute } from "../trpc.ts";
import { admitHandler, allowBackHandler, denyHandler, setAccessHandler } from "./meeting/access.handler.ts";
import { meetingPersonSchema, setAccessSchema } from "./meeting/access.schema.ts";
import { createMeetingHandler } from "./meeting/create.handler.ts";
import { createMeetingSchema } from "./meeting/create.schema.ts";
import { meetingCodeLookups } from "./meeting/lookups.ts";
import { endMeetingHandler, getMeetingHandler, listMineHandler, meetingExistsHandler } from "./meeting/meeting.handler.ts";
import { byCodeSchema, listMineSchema } from "./meeting/meeting.schema.ts";
import { meetingAccessSchema, meetingPageSchema, meetingSchema, meetingWithLiveSchema, okSchema } from "./meeting/output.schema.ts";

const manage = tokenScope("meetings:manage");
const route = (method: RestRoute["method"], path: RestRoute["path"], summary: string) => rest({ method, path, summary, tags: ["Meetings"] });

export const meetingRouter = createTRPCRouter({
  create: protectedProcedure
    .meta(access("user"))
    .meta(manage)
    .meta(route("POST", "/meetings", "Create a meeting (the caller hosts it)"))
    .input(createMeetingSchema)
    .output(meetingSchema)
    .mutation(createMeetingHandler),
  get: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(manage)
    .meta(meetingCodeLookups)
    .meta(route("GET", "/meetings/{code}", "A meeting by its code, with who is in it now"))
    .input(byCodeSchema)
    .output(meetingWithLiveSchema)
    .query(getMeetingHandler),
  /** For /m/<code> before anyone signs in: whether the meeting exists, nothing about it. */
  exists: publicProcedure.meta(access("anyone")).meta(meetingCodeLookups).input(byCodeSchema).query(meetingExistsHandler),
  listMine: protectedProcedure
    .meta(access("user"))
    .meta(manage)
    .meta(route("GET", "/meetings", "Meetings the caller hosts or took part in, newest first"))
    .input(listMineSchema)
    .output(meetingPageSchema)
    .query(listMineHandler),
  end: protectedProcedure
    .meta(access("user", "meeting host"))
    .meta(manage)
    .meta(route("POST", "/meetings/{code}/end", "End a meeting for everyone in it (host only)"))
    .input(byCodeSchema)
    .output(meetingSchema)
    .mutation(endMeetingHandler),
  /** The host locks the meeting (nobody new joins) or turns its lobby on (newcomers wait to be let in), before or during it. */
  setAccess: protectedProcedure
    .meta(access("user", "meeting host"))
    .meta(manage)
    .meta(route("PATCH", "/meetings/{code}/access", "Lock or unlock a meeting, turn its lobby on or off (host only)"))
    .input(setAccessSchema)
    .output(meetingAccessSchema)
    .mutation(setAccessHandler),
  /** The host lets someone waiting in the lobby in, or turns them away. */
  admit: protectedProcedure
    .meta(access("user", "meeting host"))
    .meta(manage)
    .meta(route("POST", "/meetings/{code}/lobby/{userId}/admit", "Let someone waiting in the lobby in (host only)"))
    .input(meetingPersonSchema)
    .output(okSchema)
    .mutation(admitHandler),
  deny: protectedProcedure
    .meta(access("user", "meeting host"))
    .meta(manage)
    .meta(route("POST", "/meetings/{code}/lobby/{userId}/deny", "Turn someone waiting in the lobby away (host only)"))
    .input(meetingPersonSchema)
    .output(okSchema)
    .mutation(denyHandler),
  /** The host lets someone they removed join (and read the meeting's chat) again. */
  allowBack: protectedProcedure
    .meta(access("user", "meeting host"))
    .meta(manage)
    .meta(route("POST", "/meetings/{code}/removed/{userId}/allow-back", "Let someone the host removed join again (host only)"))
    .input(meetingPersonSchema)
    .output(okSchema)
    .mutation(allowBackHandler),
});

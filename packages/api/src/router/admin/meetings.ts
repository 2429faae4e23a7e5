import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { endMeetingHandler, liveMeetingsHandler, removeParticipantHandler } from "./meetings.handler.ts";
import { endMeetingSchema, liveMeetingsSchema, removeParticipantSchema } from "./meetings.schema.ts";

/** admin.meetings.*: the console's live meetings and what an admin does to one. */
export const adminMeetingsRouter = createTRPCRouter({
  live: adminProcedure.meta(access("admin")).input(liveMeetingsSchema).query(liveMeetingsHandler),
  end: adminProcedure.meta(access("admin")).input(endMeetingSchema).mutation(endMeetingHandler),
  removeParticipant: adminProcedure.meta(access("admin")).input(removeParticipantSchema).mutation(removeParticipantHandler),
});

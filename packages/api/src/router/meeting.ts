import { createTRPCRouter, guestOrUserProcedure, protectedProcedure } from "../trpc.ts";
import { createMeetingHandler } from "./meeting/create.handler.ts";
import { createMeetingSchema } from "./meeting/create.schema.ts";
import { endMeetingHandler, getMeetingHandler, listMineHandler } from "./meeting/meeting.handler.ts";
import { byCodeSchema, listMineSchema } from "./meeting/meeting.schema.ts";

export const meetingRouter = createTRPCRouter({
  create: protectedProcedure.input(createMeetingSchema).mutation(createMeetingHandler),
  get: guestOrUserProcedure.input(byCodeSchema).query(getMeetingHandler),
  listMine: protectedProcedure.input(listMineSchema).query(listMineHandler),
  end: protectedProcedure.input(byCodeSchema).mutation(endMeetingHandler),
});

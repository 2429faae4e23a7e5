import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { endMeeting } from "../meeting/meetingRecords.ts";
import { meetingView } from "../meeting/meetingView.ts";
import { meetingCode } from "../schemas.ts";
import { createTRPCRouter, guestOrUserProcedure, protectedProcedure } from "../trpc.ts";
import { createMeetingHandler } from "./meeting/create.handler.ts";
import { createMeetingSchema } from "./meeting/create.schema.ts";

const byCode = z.object({ code: meetingCode });
const withHost = { host: { select: { id: true, name: true } } } as const;

export const meetingRouter = createTRPCRouter({
  create: protectedProcedure.input(createMeetingSchema).mutation(createMeetingHandler),

  /** Anyone with the link (users and guests) may look a meeting up before joining. */
  get: guestOrUserProcedure.input(byCode).query(async ({ ctx, input }) => {
    const meeting = await ctx.db.meeting.findUnique({ where: { code: input.code }, include: withHost });
    if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${input.code}.` });
    return meetingView(meeting, ctx.user.id);
  }),

  /** Meetings the user hosts or took part in, newest first (keyset pagination on createdAt, id). */
  listMine: protectedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20), cursor: z.string().uuid().nullish() }).default({ limit: 20 }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.meeting.findMany({
        where: { OR: [{ hostId: ctx.user.id }, { participants: { some: { userId: ctx.user.id } } }] },
        include: withHost,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      });
      const items = rows.slice(0, input.limit).map((m) => meetingView(m, ctx.user.id));
      return { items, nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null };
    }),

  end: protectedProcedure.input(byCode).mutation(async ({ ctx, input }) => {
    const meeting = await ctx.db.meeting.findUnique({ where: { code: input.code }, include: withHost });
    if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${input.code}.` });
    if (meeting.hostId !== ctx.user.id) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can end this meeting." });
    if (meeting.status === "ENDED") return meetingView(meeting, ctx.user.id);
    const { endedAt } = await endMeeting(ctx.db, ctx.redis, { meetingId: meeting.id, actorId: ctx.user.id, ip: ctx.ip });
    return meetingView({ ...meeting, status: "ENDED", endedAt }, ctx.user.id);
  }),
});

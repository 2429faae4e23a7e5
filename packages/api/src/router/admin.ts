import { adminProcedure, createTRPCRouter } from "../trpc.ts";

export const adminRouter = createTRPCRouter({
  /** Headline numbers for the admin console. */
  overview: adminProcedure.query(async ({ ctx }) => {
    const [users, guests, meetings, liveMeetings, openReports] = await Promise.all([
      ctx.db.user.count({ where: { isGuest: false } }),
      ctx.db.user.count({ where: { isGuest: true } }),
      ctx.db.meeting.count(),
      ctx.db.meeting.count({ where: { status: "LIVE" } }),
      ctx.db.report.count({ where: { status: "OPEN" } }),
    ]);
    return { users, guests, meetings, liveMeetings, openReports };
  }),
});

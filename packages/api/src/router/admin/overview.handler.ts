import { env } from "@qualmeet/config";
import type { Context } from "../../trpc.ts";

/** Headline numbers for the admin console. */
export async function overviewHandler({ ctx }: { ctx: Context }) {
  const [users, guests, meetings, liveMeetings, openReports] = await Promise.all([
    ctx.db.user.count({ where: { isGuest: false } }),
    ctx.db.user.count({ where: { isGuest: true } }),
    ctx.db.meeting.count(),
    ctx.db.meeting.count({ where: { status: "LIVE" } }),
    ctx.db.report.count({ where: { status: "OPEN" } }),
  ]);
  // without TURN, calls between networks that block direct connections fail: the operator should know
  return { users, guests, meetings, liveMeetings, openReports, turnConfigured: Boolean(env.TURN_URLS && env.TURN_SECRET) };
}

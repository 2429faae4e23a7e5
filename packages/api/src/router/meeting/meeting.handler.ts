import { TRPCError } from "@trpc/server";
import { endMeeting } from "../../meeting/meetingRecords.ts";
import { meetingView } from "../../meeting/meetingView.ts";
import { liveTopology } from "../../meeting/topology.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { ByCodeInput, ListMineInput } from "./meeting.schema.ts";

type Ctx = Context & { user: SessionUser };
const withHost = { host: { select: { id: true, name: true } } } as const;

const noSuchMeeting = (code: string) => new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${code}.` });

async function meetingWithHost(ctx: Ctx, code: string) {
  const meeting = await ctx.db.meeting.findUnique({ where: { code }, include: withHost });
  if (!meeting) throw noSuchMeeting(code);
  return meeting;
}

/** Whether a meeting has this code (NOT_FOUND if not): all a visitor who has not signed in learns. */
export async function meetingExistsHandler({ ctx, input }: { ctx: Context; input: ByCodeInput }) {
  const meeting = await ctx.db.meeting.findUnique({ where: { code: input.code }, select: { code: true } });
  if (!meeting) throw noSuchMeeting(input.code);
  return meeting;
}

/** Anyone with the link (users and guests) may look a meeting up before joining: also who is in it now, and so its live topology. */
export async function getMeetingHandler({ ctx, input }: { ctx: Ctx; input: ByCodeInput }) {
  const meeting = await meetingWithHost(ctx, input.code);
  return { ...meetingView(meeting, ctx.user.id), live: await liveTopology(ctx.redis, meeting) };
}

/** Meetings the user hosts or took part in, newest first (keyset pagination on createdAt, id). */
export async function listMineHandler({ ctx, input }: { ctx: Ctx; input: ListMineInput }) {
  const rows = await ctx.db.meeting.findMany({
    where: { OR: [{ hostId: ctx.user.id }, { participants: { some: { userId: ctx.user.id } } }] },
    include: withHost,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, input.limit).map((m) => meetingView(m, ctx.user.id));
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null };
}

/** The host ends the meeting from the web app; the realtime nodes close it for everyone in it. */
export async function endMeetingHandler({ ctx, input }: { ctx: Ctx; input: ByCodeInput }) {
  const meeting = await meetingWithHost(ctx, input.code);
  if (meeting.hostId !== ctx.user.id) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can end this meeting." });
  if (meeting.status === "ENDED") return meetingView(meeting, ctx.user.id);
  const { endedAt } = await endMeeting(ctx.db, ctx.redis, { meetingId: meeting.id, actorId: ctx.user.id, ip: ctx.ip });
  return meetingView({ ...meeting, status: "ENDED", endedAt }, ctx.user.id);
}

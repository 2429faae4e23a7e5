// The admin console's live meetings: who is in each, where and how its media runs, and an admin ending one or
// removing someone from it with the host's own effects (everyone's page ends; the removed person is out and
// cannot come back on the same link). Each action names its reason and is audited in the transaction that makes it.
import { TRPCError } from "@trpc/server";
import { livePlacements, removeFromLiveMeeting } from "../../meeting/adminControl.ts";
import { announceEnd } from "../../meeting/meetingRecords.ts";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { EndMeetingInput, LiveMeetingsInput, RemoveParticipantInput } from "./meetings.schema.ts";

type Ctx = Context & { user: SessionUser };

const NO_SUCH_MEETING = "There is no meeting with this id.";
const notLive = () => new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting is not live any more." });

export async function liveMeetingsHandler({ ctx, input }: { ctx: Ctx; input: LiveMeetingsInput }) {
  const rows = await ctx.db.meeting.findMany({
    where: { AND: [{ status: "LIVE" }, afterCursor(input.cursor, "createdAt", "desc")] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: {
      id: true,
      code: true,
      title: true,
      createdAt: true,
      startedAt: true,
      host: { select: { id: true, name: true } },
      participants: {
        where: { leftAt: null },
        select: { id: true, userId: true, displayName: true, role: true, joinedAt: true },
        orderBy: [{ joinedAt: "asc" }, { id: "asc" }],
      },
    },
  });
  const page = keysetPage(rows, input.limit, (m) => ({ at: m.createdAt, id: m.id }));
  const placements = await livePlacements(
    ctx.redis,
    page.items.map((m) => m.id),
  );
  return {
    nextCursor: page.nextCursor,
    items: page.items.map(({ createdAt: _, ...meeting }) => ({ ...meeting, node: placements.get(meeting.id)?.node ?? null, mode: placements.get(meeting.id)?.mode ?? "SFU" })),
  };
}

/** Ends a meeting for everyone in it, as its host's End does. */
export async function endMeetingHandler({ ctx, input }: { ctx: Ctx; input: EndMeetingInput }) {
  const endedAt = new Date();
  await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.meeting.updateMany({ where: { id: input.meetingId, status: { not: "ENDED" } }, data: { status: "ENDED", endedAt } });
    if (count === 0) {
      const exists = await tx.meeting.count({ where: { id: input.meetingId } });
      throw exists ? notLive() : new TRPCError({ code: "NOT_FOUND", message: NO_SUCH_MEETING });
    }
    await tx.auditLog.create({
      data: { actorId: ctx.user.id, action: "admin.meeting.end", targetType: "meeting", targetId: input.meetingId, ip: ctx.ip, data: { reason: input.reason } },
    });
  });
  await announceEnd(ctx.redis, input.meetingId);
  return { endedAt };
}

/**
 * Removes a person from a live meeting as its host would: remembered (with the audit entry) before the meeting's
 * node takes every tab of theirs out, so they cannot rejoin on the same link, not even at once.
 */
export async function removeParticipantHandler({ ctx, input }: { ctx: Ctx; input: RemoveParticipantInput }) {
  const meeting = await ctx.db.meeting.findUnique({ where: { id: input.meetingId }, select: { status: true } });
  if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: NO_SUCH_MEETING });
  if (meeting.status !== "LIVE") throw notLive();
  const participant = await ctx.db.meetingParticipant.findFirst({
    where: { meetingId: input.meetingId, userId: input.userId, leftAt: null },
    select: { displayName: true, user: { select: { isGuest: true } } },
  });
  if (!participant) throw new TRPCError({ code: "NOT_FOUND", message: "That person is not in this meeting." });
  await ctx.db.$transaction(async (tx) => {
    await tx.meetingRemoval.upsert({
      where: { meetingId_userId: { meetingId: input.meetingId, userId: input.userId } },
      create: { meetingId: input.meetingId, userId: input.userId, removedById: ctx.user.id, isGuest: participant.user.isGuest, displayName: participant.displayName },
      update: {},
    });
    await tx.auditLog.create({
      data: {
        actorId: ctx.user.id,
        action: "admin.meeting.removeParticipant",
        targetType: "user",
        targetId: input.userId,
        ip: ctx.ip,
        data: { meetingId: input.meetingId, reason: input.reason },
      },
    });
  });
  const tookOut = await removeFromLiveMeeting(ctx.redis, input.meetingId, input.userId, ctx.user.id);
  return { ok: true as const, tookOut };
}

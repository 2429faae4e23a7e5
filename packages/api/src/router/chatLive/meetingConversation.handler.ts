// The chat of a meeting: a conversation of kind MEETING created on first use, whose members are the
// meeting's participants (each is added when they first open it, guests included). It stays readable to
// them after the meeting. A call's meeting is tied to its DM or group instead: only that conversation's
// members get it.
import { TRPCError } from "@trpc/server";
import { membersChanged } from "../../chat/chatService.ts";
import { conversationSummary } from "../../chat/conversations.ts";
import { requireMember } from "../../chat/members.ts";
import type { ConversationSummary } from "../../chat/types.ts";
import { removedFromMeeting } from "../../meeting/admission.ts";
import { isRemoved } from "../../meeting/removal.ts";
import { isUniqueViolation } from "../../services/prismaErrors.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { MeetingConversationInput } from "./message.schema.ts";

type Ctx = Context & { user: SessionUser };

async function meetingConversation(ctx: Ctx, meetingId: string) {
  const existing = await ctx.db.conversation.findUnique({ where: { meetingId }, select: { id: true, kind: true } });
  if (existing) return existing;
  try {
    return await ctx.db.conversation.create({ data: { kind: "MEETING", meetingId }, select: { id: true, kind: true } });
  } catch (error) {
    // opened by two participants at once: the other one created it
    if (!isUniqueViolation(error)) throw error;
    return ctx.db.conversation.findUniqueOrThrow({ where: { meetingId }, select: { id: true, kind: true } });
  }
}

export async function meetingConversationHandler({ ctx, input }: { ctx: Ctx; input: MeetingConversationInput }): Promise<ConversationSummary> {
  const meeting = await ctx.db.meeting.findUnique({ where: { id: input.meetingId }, select: { hostId: true } });
  if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: "This meeting does not exist." });
  const existing = await ctx.db.conversation.findUnique({ where: { meetingId: input.meetingId }, select: { id: true, kind: true } });
  if (existing && existing.kind !== "MEETING") {
    await requireMember(ctx.redis, ctx.db, existing.id, ctx.user.id);
    return conversationSummary(ctx, ctx.user.id, existing.id);
  }
  // removed by the host: out of the chat too, also before ever opening it (until the host lets them back)
  if (await isRemoved(ctx.db, input.meetingId, ctx.user.id)) throw removedFromMeeting();
  const participated = meeting.hostId === ctx.user.id || (await ctx.db.meetingParticipant.count({ where: { meetingId: input.meetingId, userId: ctx.user.id } })) > 0;
  if (!participated) throw new TRPCError({ code: "FORBIDDEN", message: "Only the meeting's participants can read its chat. Join the meeting first." });
  const conversation = existing ?? (await meetingConversation(ctx, input.meetingId));
  const member = await ctx.db.conversationMember.findUnique({
    where: { conversationId_userId: { conversationId: conversation.id, userId: ctx.user.id } },
    select: { leftAt: true },
  });
  if (!member) {
    await ctx.db.conversationMember.createMany({
      data: [{ conversationId: conversation.id, userId: ctx.user.id, role: meeting.hostId === ctx.user.id ? "ADMIN" : "MEMBER" }],
      skipDuplicates: true,
    });
    await membersChanged(ctx, conversation.id);
  } else if (member.leftAt) {
    throw new TRPCError({ code: "FORBIDDEN", message: "You were removed from this meeting's chat." });
  }
  return conversationSummary(ctx, ctx.user.id, conversation.id);
}

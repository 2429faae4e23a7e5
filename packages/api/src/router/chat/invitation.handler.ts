// Invitations to (re)join a group (see conversation.handler.ts for who gets one). The invitee sees the group's
// name, who invited them and how many are in it, nothing of what was said; accepting makes them a member who
// reads from that moment on, declining drops the invitation.
import { TRPCError } from "@trpc/server";
import { env } from "@qualmeet/config";
import { publishChatEvent } from "../../chat/chatEvents.ts";
import { membersChanged } from "../../chat/chatService.ts";
import { conversationSummary } from "../../chat/conversations.ts";
import type { ConversationInvitation, ConversationSummary } from "../../chat/types.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import { groupFull } from "./conversation.handler.ts";
import type { AnswerInvitationInput } from "./invitation.schema.ts";

type Ctx = Context & { user: SessionUser };

const noInvitation = () => new TRPCError({ code: "NOT_FOUND", message: "This invitation does not exist (any more)." });

export async function invitationsHandler({ ctx }: { ctx: Ctx }): Promise<ConversationInvitation[]> {
  const rows = await ctx.db.conversationInvitation.findMany({
    where: { userId: ctx.user.id },
    select: {
      createdAt: true,
      invitedBy: { select: { id: true, name: true, isGuest: true } },
      conversation: { select: { id: true, title: true, _count: { select: { members: { where: { leftAt: null } } } } } },
    },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return rows.map((row) => ({
    conversationId: row.conversation.id,
    title: row.conversation.title ?? "Group",
    invitedBy: row.invitedBy,
    memberCount: row.conversation._count.members,
    createdAt: row.createdAt,
  }));
}

export async function acceptInvitationHandler({ ctx, input }: { ctx: Ctx; input: AnswerInvitationInput }): Promise<ConversationSummary> {
  const { conversationId } = input;
  await ctx.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`group:${conversationId}`}))`;
    const { count } = await tx.conversationInvitation.deleteMany({ where: { conversationId, userId: ctx.user.id } });
    if (count === 0) throw noInvitation();
    // the invitation held a seat; still, a group filled meanwhile by direct adds cannot grow past the cap
    const members = await tx.conversationMember.count({ where: { conversationId, leftAt: null } });
    if (members >= env.CHAT_MAX_GROUP_MEMBERS) throw groupFull();
    const joinedAt = new Date();
    await tx.conversationMember.upsert({
      where: { conversationId_userId: { conversationId, userId: ctx.user.id } },
      // someone who comes back starts afresh: no unread backlog, nothing from before readable
      update: { leftAt: null, joinedAt, role: "MEMBER", lastReadAt: null, lastReadMessageId: null },
      create: { conversationId, userId: ctx.user.id, joinedAt },
    });
  });
  await membersChanged(ctx, conversationId);
  await publishChatEvent(ctx.redis, [ctx.user.id], { type: "invitations.changed" });
  return conversationSummary(ctx, ctx.user.id, conversationId);
}

export async function declineInvitationHandler({ ctx, input }: { ctx: Ctx; input: AnswerInvitationInput }): Promise<{ ok: true }> {
  const { count } = await ctx.db.conversationInvitation.deleteMany({ where: { conversationId: input.conversationId, userId: ctx.user.id } });
  if (count === 0) throw noInvitation();
  await publishChatEvent(ctx.redis, [ctx.user.id], { type: "invitations.changed" });
  return { ok: true };
}

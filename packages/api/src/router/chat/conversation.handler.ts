// Creating conversations and changing their members. Each change is committed to PostgreSQL first, then the
// membership cache is rewritten and every member's (and removed member's) open subscriptions are told.
import { TRPCError } from "@trpc/server";
import type { PrismaClient } from "@qualmeet/db";
import { membersChanged } from "../../chat/chatService.ts";
import { conversationSummary } from "../../chat/conversations.ts";
import type { ConversationSummary } from "../../chat/types.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { AddMembersInput, CreateDirectInput, CreateGroupInput, RemoveMemberInput, RenameInput } from "./conversation.schema.ts";

type Ctx = Context & { user: SessionUser };

/** The accounts among `ids` (guests cannot be in DMs or groups); BAD_REQUEST naming what is wrong. */
async function accounts(db: PrismaClient, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await db.user.findMany({ where: { id: { in: unique }, isGuest: false }, select: { id: true } });
  if (found.length !== unique.length) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: unique.length === 1 ? "This person does not exist (or is a guest)." : "Some of these people do not exist (or are guests).",
    });
  }
  return unique;
}

/** A group the caller is in; FORBIDDEN unless an admin when `admin` is asked. */
async function group(ctx: Ctx, conversationId: string, admin: boolean) {
  const membership = await ctx.db.conversationMember.findFirst({
    where: { conversationId, userId: ctx.user.id, leftAt: null },
    select: { role: true, conversation: { select: { kind: true } } },
  });
  if (!membership) throw new TRPCError({ code: "NOT_FOUND", message: "This conversation does not exist or you are not a member of it." });
  if (membership.conversation.kind !== "GROUP") throw new TRPCError({ code: "BAD_REQUEST", message: "Only groups have names and members to change." });
  if (admin && membership.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only the group's admins can do this." });
}

export async function createDirectHandler({ ctx, input }: { ctx: Ctx; input: CreateDirectInput }): Promise<ConversationSummary> {
  if (input.userId === ctx.user.id) throw new TRPCError({ code: "BAD_REQUEST", message: "Choose someone else to write to." });
  await accounts(ctx.db, [input.userId]);
  const pair = [ctx.user.id, input.userId].sort();
  // one DM per pair, even when both start it at once
  const id = await ctx.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dm:${pair.join(":")}`}))`;
    const existing = await tx.conversation.findFirst({
      where: { kind: "DIRECT", AND: pair.map((userId) => ({ members: { some: { userId } } })) },
      select: { id: true },
    });
    if (existing) return existing.id;
    const created = await tx.conversation.create({
      data: { kind: "DIRECT", createdById: ctx.user.id, members: { create: pair.map((userId) => ({ userId, role: "MEMBER" as const })) } },
      select: { id: true },
    });
    return created.id;
  });
  await membersChanged(ctx, id);
  return conversationSummary(ctx, ctx.user.id, id);
}

export async function createGroupHandler({ ctx, input }: { ctx: Ctx; input: CreateGroupInput }): Promise<ConversationSummary> {
  const others = (await accounts(ctx.db, input.memberIds)).filter((id) => id !== ctx.user.id);
  const conversation = await ctx.db.conversation.create({
    data: {
      kind: "GROUP",
      title: input.title,
      createdById: ctx.user.id,
      members: { create: [{ userId: ctx.user.id, role: "ADMIN" as const }, ...others.map((userId) => ({ userId, role: "MEMBER" as const }))] },
    },
    select: { id: true },
  });
  await membersChanged(ctx, conversation.id);
  return conversationSummary(ctx, ctx.user.id, conversation.id);
}

export async function renameHandler({ ctx, input }: { ctx: Ctx; input: RenameInput }): Promise<ConversationSummary> {
  await group(ctx, input.conversationId, true);
  await ctx.db.conversation.update({ where: { id: input.conversationId }, data: { title: input.title } });
  await membersChanged(ctx, input.conversationId);
  return conversationSummary(ctx, ctx.user.id, input.conversationId);
}

export async function addMembersHandler({ ctx, input }: { ctx: Ctx; input: AddMembersInput }): Promise<ConversationSummary> {
  await group(ctx, input.conversationId, true);
  const ids = await accounts(ctx.db, input.userIds);
  const joinedAt = new Date();
  await ctx.db.$transaction(
    ids.map((userId) =>
      ctx.db.conversationMember.upsert({
        where: { conversationId_userId: { conversationId: input.conversationId, userId } },
        // someone who left and comes back starts afresh (no unread backlog from before)
        update: { leftAt: null, joinedAt, role: "MEMBER", lastReadAt: null, lastReadMessageId: null },
        create: { conversationId: input.conversationId, userId, joinedAt },
      }),
    ),
  );
  await membersChanged(ctx, input.conversationId);
  return conversationSummary(ctx, ctx.user.id, input.conversationId);
}

/** An admin removes someone, or anyone leaves (removing themself). The last admin leaving promotes the longest member. */
export async function removeMemberHandler({ ctx, input }: { ctx: Ctx; input: RemoveMemberInput }): Promise<{ ok: true }> {
  const leaving = input.userId === ctx.user.id;
  await group(ctx, input.conversationId, !leaving);
  const { count } = await ctx.db.conversationMember.updateMany({
    where: { conversationId: input.conversationId, userId: input.userId, leftAt: null },
    data: { leftAt: new Date() },
  });
  if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "This person is not a member of the group." });
  const remaining = await ctx.db.conversationMember.findMany({
    where: { conversationId: input.conversationId, leftAt: null },
    select: { userId: true, role: true },
    orderBy: { joinedAt: "asc" },
  });
  if (remaining.length && !remaining.some((m) => m.role === "ADMIN")) {
    await ctx.db.conversationMember.update({ where: { conversationId_userId: { conversationId: input.conversationId, userId: remaining[0]!.userId } }, data: { role: "ADMIN" } });
  }
  await membersChanged(ctx, input.conversationId, [input.userId]);
  return { ok: true };
}

// Creating conversations and changing their members. Each change is committed to PostgreSQL first, then the
// membership cache is rewritten and every member's (and removed member's) open subscriptions are told.
// Nobody is put in a group against their will: someone who left it (or was removed), or who is blocked with the
// one adding them (either way), is invited instead and joins only by accepting (invitation.handler.ts).
import { TRPCError } from "@trpc/server";
import { env } from "@qualmeet/config";
import type { Prisma, PrismaClient } from "@qualmeet/db";
import { blockedAmong, blockedWith, isBlockedPair } from "../../chat/blocks.ts";
import { publishChatEvent } from "../../chat/chatEvents.ts";
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

export const groupFull = () => new TRPCError({ code: "BAD_REQUEST", message: `Groups have at most ${env.CHAT_MAX_GROUP_MEMBERS} people (members and pending invitations).` });

/** Refuses a new conversation past CHAT_MAX_CONVERSATIONS_PER_HOUR created by the user in the last hour. */
async function checkCreationQuota(db: Prisma.TransactionClient, userId: string): Promise<void> {
  const created = await db.conversation.count({ where: { createdById: userId, createdAt: { gte: new Date(Date.now() - 3_600_000) } } });
  if (created >= env.CHAT_MAX_CONVERSATIONS_PER_HOUR) {
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `You can start at most ${env.CHAT_MAX_CONVERSATIONS_PER_HOUR} conversations (DMs and groups) an hour. Try again later.`,
    });
  }
}

/** Serialises changes of one user's (or group's) conversations, so that counts checked in a transaction hold. */
const lock = (tx: Prisma.TransactionClient, what: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${what}))`;

/** Tells each invitee to read their invitations again. */
async function invitationsChanged(ctx: Ctx, userIds: string[]): Promise<void> {
  if (userIds.length) await publishChatEvent(ctx.redis, userIds, { type: "invitations.changed" });
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
  if (await isBlockedPair(ctx.db, ctx.user.id, input.userId)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "You cannot write to this person: one of you has blocked the other." });
  }
  const pair = [ctx.user.id, input.userId].sort();
  // one DM per pair, even when both start it at once
  const id = await ctx.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dm:${pair.join(":")}`}))`;
    const existing = await tx.conversation.findFirst({
      where: { kind: "DIRECT", AND: pair.map((userId) => ({ members: { some: { userId } } })) },
      select: { id: true },
    });
    if (existing) return existing.id;
    await lock(tx, `created:${ctx.user.id}`);
    await checkCreationQuota(tx, ctx.user.id);
    const created = await tx.conversation.create({
      data: { kind: "DIRECT", createdById: ctx.user.id, members: { create: pair.map((userId) => ({ userId, role: "MEMBER" as const })) } },
      select: { id: true },
    });
    return created.id;
  });
  // sending in it needs no database: the blocks cache is filled now, while the database is there
  await Promise.all(pair.map((userId) => blockedWith(ctx.redis, ctx.db, userId)));
  await membersChanged(ctx, id);
  return conversationSummary(ctx, ctx.user.id, id);
}

export async function createGroupHandler({ ctx, input }: { ctx: Ctx; input: CreateGroupInput }): Promise<ConversationSummary & { invited: string[] }> {
  const others = (await accounts(ctx.db, input.memberIds)).filter((id) => id !== ctx.user.id);
  if (1 + others.length > env.CHAT_MAX_GROUP_MEMBERS) throw groupFull();
  const blocked = await blockedAmong(ctx.db, ctx.user.id, others);
  const members = others.filter((id) => !blocked.has(id));
  const invited = others.filter((id) => blocked.has(id));
  const conversation = await ctx.db.$transaction(async (tx) => {
    await lock(tx, `created:${ctx.user.id}`);
    await checkCreationQuota(tx, ctx.user.id);
    return tx.conversation.create({
      data: {
        kind: "GROUP",
        title: input.title,
        createdById: ctx.user.id,
        members: { create: [{ userId: ctx.user.id, role: "ADMIN" as const }, ...members.map((userId) => ({ userId, role: "MEMBER" as const }))] },
        invitations: { create: invited.map((userId) => ({ userId, invitedById: ctx.user.id })) },
      },
      select: { id: true },
    });
  });
  await membersChanged(ctx, conversation.id);
  await invitationsChanged(ctx, invited);
  return { ...(await conversationSummary(ctx, ctx.user.id, conversation.id)), invited };
}

export async function renameHandler({ ctx, input }: { ctx: Ctx; input: RenameInput }): Promise<ConversationSummary> {
  await group(ctx, input.conversationId, true);
  await ctx.db.conversation.update({ where: { id: input.conversationId }, data: { title: input.title } });
  await membersChanged(ctx, input.conversationId);
  return conversationSummary(ctx, ctx.user.id, input.conversationId);
}

/**
 * Adds people to a group: newcomers join at once (reading from now on); who left it before, or is blocked with the
 * adder, gets an invitation instead (`invited`). Members and pending invitations together stay within the cap.
 */
export async function addMembersHandler({ ctx, input }: { ctx: Ctx; input: AddMembersInput }): Promise<ConversationSummary & { invited: string[] }> {
  await group(ctx, input.conversationId, true);
  const ids = await accounts(ctx.db, input.userIds);
  const blocked = await blockedAmong(ctx.db, ctx.user.id, ids);
  const invited = await ctx.db.$transaction(async (tx) => {
    await lock(tx, `group:${input.conversationId}`);
    const [known, invitations] = await Promise.all([
      tx.conversationMember.findMany({ where: { conversationId: input.conversationId }, select: { userId: true, leftAt: true } }),
      tx.conversationInvitation.findMany({ where: { conversationId: input.conversationId }, select: { userId: true } }),
    ]);
    const active = new Set(known.filter((m) => !m.leftAt).map((m) => m.userId));
    const left = new Set(known.filter((m) => m.leftAt).map((m) => m.userId));
    const pending = new Set(invitations.map((i) => i.userId));
    const fresh = ids.filter((id) => !active.has(id));
    const join = fresh.filter((id) => !left.has(id) && !blocked.has(id));
    const invite = fresh.filter((id) => left.has(id) || blocked.has(id));
    // afterwards: the members, the people who joined, and every pending invitation (old and new)
    const seats = new Set([...active, ...pending, ...fresh]).size;
    if (seats > env.CHAT_MAX_GROUP_MEMBERS) throw groupFull();
    await tx.conversationMember.createMany({ data: join.map((userId) => ({ conversationId: input.conversationId, userId, joinedAt: new Date() })) });
    // joining directly settles any invitation they had
    await tx.conversationInvitation.deleteMany({ where: { conversationId: input.conversationId, userId: { in: join } } });
    for (const userId of invite) {
      await tx.conversationInvitation.upsert({
        where: { conversationId_userId: { conversationId: input.conversationId, userId } },
        update: { invitedById: ctx.user.id, createdAt: new Date() },
        create: { conversationId: input.conversationId, userId, invitedById: ctx.user.id },
      });
    }
    return invite;
  });
  await membersChanged(ctx, input.conversationId);
  await invitationsChanged(ctx, invited);
  return { ...(await conversationSummary(ctx, ctx.user.id, input.conversationId)), invited };
}

/** An admin removes someone, or anyone leaves (removing themself). The last admin leaving promotes the longest member. */
export async function removeMemberHandler({ ctx, input }: { ctx: Ctx; input: RemoveMemberInput }): Promise<{ ok: true }> {
  const leaving = input.userId === ctx.user.id;
  await group(ctx, input.conversationId, !leaving);
  await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.conversationMember.updateMany({ where: { conversationId: input.conversationId, userId: input.userId, leftAt: null }, data: { leftAt: new Date() } });
    if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "This person is not a member of the group." });
    // a group admin removing someone is moderation, so it is audited; leaving is not
    if (!leaving) {
      await tx.auditLog.create({
        data: { actorId: ctx.user.id, action: "chat.removeMember", targetType: "user", targetId: input.userId, data: { conversationId: input.conversationId }, ip: ctx.ip },
      });
    }
  });
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

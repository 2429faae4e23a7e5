import { CONTACTS_LIMIT, contactsOf } from "../../chat/contacts.ts";
import { escapeLike } from "../../services/likePattern.ts";
import { onlineUsers } from "../../services/presence.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { SearchInput, UpdateProfileInput } from "./user.schema.ts";

type Ctx = Context & { user: SessionUser };
const SEARCH_LIMIT = 20;

/** A new display name, in the audit log with the old one (a name change is how someone poses as another). */
export async function updateProfileHandler({ ctx, input }: { ctx: Ctx; input: UpdateProfileInput }) {
  const [user] = await ctx.db.$transaction([
    ctx.db.user.update({ where: { id: ctx.user.id }, data: { name: input.name }, select: { id: true, name: true, email: true } }),
    ctx.db.auditLog.create({
      data: { actorId: ctx.user.id, action: "user.updateProfile", targetType: "user", targetId: ctx.user.id, data: { from: ctx.user.name, to: input.name }, ip: ctx.ip },
    }),
  ]);
  return user;
}

/**
 * "Find people": accounts whose name contains the query, or whose e-mail address is exactly the query (not guests,
 * not yourself). Addresses are never matched in part and never returned, so nobody can list who uses the service
 * or collect addresses by typing "@gmail".
 */
export function searchUsersHandler({ ctx, input }: { ctx: Ctx; input: SearchInput }) {
  const byName = { name: { contains: escapeLike(input.query), mode: "insensitive" as const } };
  return ctx.db.user.findMany({
    where: {
      isGuest: false,
      id: { not: ctx.user.id },
      // addresses are stored lowercased (the email schema): plain equality, no pattern
      OR: input.email ? [byName, { email: input.email }] : [byName],
    },
    select: { id: true, name: true, isGuest: true },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: SEARCH_LIMIT,
  });
}

/** People you share a DM or a group with, with their presence. */
export async function contactsHandler({ ctx }: { ctx: Ctx }) {
  const users = await ctx.db.user.findMany({
    where: contactsOf(ctx.user.id),
    select: { id: true, name: true, isGuest: true, lastSeenAt: true },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: CONTACTS_LIMIT,
  });
  const online = await onlineUsers(
    ctx.redis,
    users.map((u) => u.id),
  );
  return users.map((u) => ({ id: u.id, name: u.name, isGuest: u.isGuest, online: online.has(u.id), lastSeenAt: u.lastSeenAt }));
}

import { CONTACTS_LIMIT, contactsOf } from "../../chat/contacts.ts";
import { escapeLike } from "../../services/likePattern.ts";
import { onlineUsers } from "../../services/presence.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { SearchInput, UpdateProfileInput } from "./user.schema.ts";

type Ctx = Context & { user: SessionUser };
const SEARCH_LIMIT = 20;

export function updateProfileHandler({ ctx, input }: { ctx: Ctx; input: UpdateProfileInput }) {
  return ctx.db.user.update({ where: { id: ctx.user.id }, data: { name: input.name }, select: { id: true, name: true, email: true } });
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

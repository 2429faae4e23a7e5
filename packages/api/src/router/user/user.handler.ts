import { onlineUsers } from "../../services/presence.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { SearchInput, UpdateProfileInput } from "./user.schema.ts";

type Ctx = Context & { user: SessionUser };
const SEARCH_LIMIT = 20;

export function updateProfileHandler({ ctx, input }: { ctx: Ctx; input: UpdateProfileInput }) {
  return ctx.db.user.update({ where: { id: ctx.user.id }, data: { name: input.name }, select: { id: true, name: true, email: true } });
}

/** "Find people": accounts whose name or email contains the query (not guests, not yourself). */
export function searchUsersHandler({ ctx, input }: { ctx: Ctx; input: SearchInput }) {
  return ctx.db.user.findMany({
    where: {
      isGuest: false,
      id: { not: ctx.user.id },
      OR: [{ name: { contains: input.query, mode: "insensitive" } }, { email: { contains: input.query, mode: "insensitive" } }],
    },
    select: { id: true, name: true, isGuest: true },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: SEARCH_LIMIT,
  });
}

/** People you share a DM or a group with, with their presence. */
export async function contactsHandler({ ctx }: { ctx: Ctx }) {
  const users = await ctx.db.user.findMany({
    where: {
      id: { not: ctx.user.id },
      memberships: { some: { leftAt: null, conversation: { kind: { in: ["DIRECT", "GROUP"] }, members: { some: { userId: ctx.user.id, leftAt: null } } } } },
    },
    select: { id: true, name: true, isGuest: true, lastSeenAt: true },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: 1000,
  });
  const online = await onlineUsers(
    ctx.redis,
    users.map((u) => u.id),
  );
  return users.map((u) => ({ id: u.id, name: u.name, isGuest: u.isGuest, online: online.has(u.id), lastSeenAt: u.lastSeenAt }));
}

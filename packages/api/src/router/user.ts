import { z } from "zod";
import { onlineUsers } from "../chat/conversations.ts";
import { displayName } from "../schemas.ts";
import { createTRPCRouter, protectedProcedure, rateLimit } from "../trpc.ts";

const SEARCH_LIMIT = 20;

export const userRouter = createTRPCRouter({
  updateProfile: protectedProcedure.input(z.object({ name: displayName })).mutation(async ({ ctx, input }) => {
    return ctx.db.user.update({
      where: { id: ctx.user.id },
      data: { name: input.name },
      select: { id: true, name: true, email: true },
    });
  }),

  /** "Find people": accounts whose name or email contains the query (not guests, not yourself). */
  search: protectedProcedure
    .meta(rateLimit({ scope: "user:search", capacity: 60, windowMs: 60_000 }, "searches"))
    .input(z.object({ query: z.string().trim().min(1, "Type a name or an email.").max(100, "Searches are at most 100 characters.") }))
    .query(async ({ ctx, input }) => {
      const users = await ctx.db.user.findMany({
        where: {
          isGuest: false,
          id: { not: ctx.user.id },
          OR: [{ name: { contains: input.query, mode: "insensitive" } }, { email: { contains: input.query, mode: "insensitive" } }],
        },
        select: { id: true, name: true, isGuest: true },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        take: SEARCH_LIMIT,
      });
      return users;
    }),

  /** People you share a DM or a group with, with their presence. */
  contacts: protectedProcedure.query(async ({ ctx }) => {
    const users = await ctx.db.user.findMany({
      where: {
        id: { not: ctx.user.id },
        memberships: { some: { leftAt: null, conversation: { kind: { in: ["DIRECT", "GROUP"] }, members: { some: { userId: ctx.user.id, leftAt: null } } } } },
      },
      select: { id: true, name: true, isGuest: true, lastSeenAt: true },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: 1000,
    });
    const online = await onlineUsers(ctx.redis, users.map((u) => u.id));
    return users.map((u) => ({ id: u.id, name: u.name, isGuest: u.isGuest, online: online.has(u.id), lastSeenAt: u.lastSeenAt }));
  }),
});

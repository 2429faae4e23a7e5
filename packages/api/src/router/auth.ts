import { env } from "@qualmeet/config";
import { rememberSessionUser } from "../services/sessionCache.ts";
import { SESSION_REVOKED_CHANNEL, type SessionRevokedEvent } from "../services/realtime.ts";
import { createTRPCRouter, loadSessionUser, protectedProcedure, publicProcedure, rateLimit } from "../trpc.ts";
import { registerHandler } from "./auth/register.handler.ts";
import { registerSchema } from "./auth/register.schema.ts";

/** The signed-in user (or guest), or null. Served by both the web and the realtime server. */
export const me = publicProcedure.query(async ({ ctx }) => {
  const user = await loadSessionUser(ctx);
  return user ? { id: user.id, name: user.name, email: user.email, role: user.role, isGuest: user.isGuest } : null;
});

export const authRouter = createTRPCRouter({
  me,
  register: publicProcedure
    .meta(rateLimit({ scope: "register:ip", capacity: env.RATE_LIMIT_REGISTER_PER_HOUR, windowMs: 3_600_000 }, "registrations from your network", "ip"))
    .input(registerSchema)
    .mutation(registerHandler),
  /** Ends every session of the user, on every device and open socket. */
  signOutEverywhere: protectedProcedure.mutation(async ({ ctx }) => {
    const { tokenVersion } = await ctx.db.user.update({
      where: { id: ctx.user.id },
      data: { tokenVersion: { increment: 1 } },
      select: { tokenVersion: true },
    });
    // the outage fallback of the session check must not accept the old version either
    await rememberSessionUser(ctx.redis, { ...ctx.user, tokenVersion });
    await ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action: "user.signOutEverywhere", targetType: "user", targetId: ctx.user.id, ip: ctx.ip } });
    const event: SessionRevokedEvent = { userId: ctx.user.id, tokenVersion };
    await ctx.redis.publish(SESSION_REVOKED_CHANNEL, JSON.stringify(event));
    return { ok: true as const };
  }),
});

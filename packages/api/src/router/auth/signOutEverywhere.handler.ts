import { SESSION_REVOKED_CHANNEL, type SessionRevokedEvent } from "../../services/realtime.ts";
import { rememberSessionUser } from "../../services/sessionCache.ts";
import type { Context, SessionUser } from "../../trpc.ts";

/** Ends every session of the user, on every device and open socket. */
export async function signOutEverywhereHandler({ ctx }: { ctx: Context & { user: SessionUser } }) {
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
}

import { announceRevocation } from "../../services/sessionRevocation.ts";
import type { Context, SessionUser } from "../../trpc.ts";

/** Ends every session of the user, on every device and open socket. */
export async function signOutEverywhereHandler({ ctx }: { ctx: Context & { user: SessionUser } }) {
  const { tokenVersion } = await ctx.db.user.update({
    where: { id: ctx.user.id },
    data: { tokenVersion: { increment: 1 } },
    select: { tokenVersion: true },
  });
  await announceRevocation(ctx.redis, { ...ctx.user, tokenVersion });
  await ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action: "user.signOutEverywhere", targetType: "user", targetId: ctx.user.id, ip: ctx.ip } });
  return { ok: true as const };
}

// Blocking and unblocking someone (chat/blocks.ts says what a block stops). Each change is committed, written to the
// audit log, then the blocks caches are rewritten and both people's open subscriptions re-read whom they may see.
import { TRPCError } from "@trpc/server";
import { blocksChanged } from "../../chat/blocks.ts";
import type { BlockedUser } from "../../chat/types.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { BlockInput } from "./block.schema.ts";

type Ctx = Context & { user: SessionUser };

export async function blockHandler({ ctx, input }: { ctx: Ctx; input: BlockInput }): Promise<{ ok: true }> {
  if (input.userId === ctx.user.id) throw new TRPCError({ code: "BAD_REQUEST", message: "You cannot block yourself." });
  const target = await ctx.db.user.findUnique({ where: { id: input.userId }, select: { id: true } });
  if (!target) throw new TRPCError({ code: "NOT_FOUND", message: "This person does not exist." });
  await ctx.db.$transaction([
    // ON CONFLICT DO NOTHING: an upsert is a read then a write, and two tabs blocking at once collide on the pair
    ctx.db.block.createMany({ data: [{ blockerId: ctx.user.id, blockedId: input.userId }], skipDuplicates: true }),
    ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action: "user.block", targetType: "user", targetId: input.userId, ip: ctx.ip } }),
  ]);
  await blocksChanged(ctx.redis, ctx.db, ctx.user.id, input.userId);
  return { ok: true };
}

export async function unblockHandler({ ctx, input }: { ctx: Ctx; input: BlockInput }): Promise<{ ok: true }> {
  const [{ count }] = await ctx.db.$transaction([
    ctx.db.block.deleteMany({ where: { blockerId: ctx.user.id, blockedId: input.userId } }),
    ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action: "user.unblock", targetType: "user", targetId: input.userId, ip: ctx.ip } }),
  ]);
  if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "You have not blocked this person." });
  await blocksChanged(ctx.redis, ctx.db, ctx.user.id, input.userId);
  return { ok: true };
}

/** The people the caller blocked, most recent first (never who blocked the caller). */
export async function blockedHandler({ ctx }: { ctx: Ctx }): Promise<BlockedUser[]> {
  const rows = await ctx.db.block.findMany({
    where: { blockerId: ctx.user.id },
    select: { createdAt: true, blocked: { select: { id: true, name: true } } },
    orderBy: { createdAt: "desc" },
    take: 1000,
  });
  return rows.map((row) => ({ id: row.blocked.id, name: row.blocked.name, blockedAt: row.createdAt }));
}

// What the admin console's moderation handlers share: the acting moderator and moderation's dependencies. The web
// app acts on random chat's matches through Redis alone (RandomMatchStore), as a realtime node does.
import type { Caller } from "../../moderation/reports.ts";
import type { StoreDeps } from "../../moderation/restrictions.ts";
import type { RandomMatches } from "../../random/contract.ts";
import { RandomMatchStore } from "../../random/matchStore.ts";
import type { Context, SessionUser } from "../../trpc.ts";

export type AdminContext = Context & { user: SessionUser };

export const moderatorOf = (ctx: AdminContext): Caller => ({ userId: ctx.user.id, ip: ctx.ip });

export const moderationDeps = (ctx: AdminContext): StoreDeps & { matches: RandomMatches } => ({
  db: ctx.db,
  redis: ctx.redis,
  matches: ctx.realtime?.random.matches ?? new RandomMatchStore(ctx.redis),
});

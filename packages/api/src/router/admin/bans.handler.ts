// admin.bans.*: every random-chat ban, newest first, searchable by what is banned or why; a ban by name; lifting one.
import type { Prisma } from "@qualmeet/db";
import { createBan, liftBan } from "../../moderation/bans.ts";
import { BAN_KINDS, BAN_KIND_OF } from "../../moderation/restrictions.ts";
import { escapeLike } from "../../services/likePattern.ts";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import type { CreateBanInput, ListBansInput } from "./bans.schema.ts";
import { moderationDeps, moderatorOf, type AdminContext } from "./moderator.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function statusWhere(status: ListBansInput["status"], now: Date): Prisma.BanWhereInput {
  switch (status) {
    case "active":
      return { liftedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
    case "lifted":
      return { liftedAt: { not: null } };
    case "expired":
      return { liftedAt: null, expiresAt: { lte: now } };
    case "all":
      return {};
  }
}

export async function listBansHandler({ ctx, input }: { ctx: AdminContext; input: ListBansInput }) {
  const now = new Date();
  const search: Prisma.BanWhereInput = input.query
    ? {
        OR: [
          { value: { contains: escapeLike(input.query), mode: "insensitive" } },
          { reason: { contains: escapeLike(input.query), mode: "insensitive" } },
          ...(UUID.test(input.query) ? [{ id: input.query }] : []),
        ],
      }
    : {};
  const rows = await ctx.db.ban.findMany({
    where: { AND: [statusWhere(input.status, now), input.kind ? { kind: BAN_KINDS[input.kind] } : {}, search, afterCursor(input.cursor, "createdAt", "desc")] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    include: {
      issuedBy: { select: { name: true } },
      liftedBy: { select: { name: true } },
      _count: { select: { reports: true } },
      appeals: { where: { status: "PENDING" }, select: { id: true } },
    },
  });
  const page = keysetPage(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((b) => ({
      id: b.id,
      kind: BAN_KIND_OF[b.kind],
      value: b.value,
      reason: b.reason,
      createdAt: b.createdAt,
      expiresAt: b.expiresAt,
      liftedAt: b.liftedAt,
      issuedBy: b.issuedBy?.name ?? null,
      liftedBy: b.liftedBy?.name ?? null,
      active: b.liftedAt === null && (b.expiresAt === null || b.expiresAt > now),
      reports: b._count.reports,
      appealPending: b.appeals.length > 0,
    })),
  };
}

export const createBanHandler = ({ ctx, input }: { ctx: AdminContext; input: CreateBanInput }) => createBan(moderationDeps(ctx), moderatorOf(ctx), input);

export const liftBanHandler = ({ ctx, input }: { ctx: AdminContext; input: { banId: string; reason: string } }) =>
  liftBan(moderationDeps(ctx), moderatorOf(ctx), input.banId, input.reason);

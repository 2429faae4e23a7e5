// admin.appeals.*: the appeals waiting for a moderator (oldest first), each with its ban and the reports behind it;
// accepting lifts the ban and tells the person at their next visit, rejecting keeps it with a note.
import type { AppealStatus } from "@qualmeet/db";
import { acceptAppeal, rejectAppeal } from "../../moderation/appealDecisions.ts";
import { REASON_NAME } from "../../moderation/reports.ts";
import { BAN_KIND_OF } from "../../moderation/restrictions.ts";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import type { ListAppealsInput } from "./appeals.schema.ts";
import { moderationDeps, moderatorOf, type AdminContext } from "./moderator.ts";

const STATUS: Record<ListAppealsInput["status"], AppealStatus> = { pending: "PENDING", accepted: "ACCEPTED", rejected: "REJECTED" };
/** reports shown per ban: the ones behind it, newest first */
const REPORTS_SHOWN = 5;

export async function listAppealsHandler({ ctx, input }: { ctx: AdminContext; input: ListAppealsInput }) {
  // waiting ones oldest first (a queue); answered ones newest first (a history)
  const order = input.status === "pending" ? "asc" : "desc";
  const rows = await ctx.db.appeal.findMany({
    where: { AND: [{ status: STATUS[input.status] }, afterCursor(input.cursor, "createdAt", order)] },
    orderBy: [{ createdAt: order }, { id: order }],
    take: input.limit + 1,
    include: {
      user: { select: { id: true, name: true, isGuest: true } },
      decidedBy: { select: { name: true } },
      ban: {
        include: {
          issuedBy: { select: { name: true } },
          reports: { orderBy: { createdAt: "desc" }, take: REPORTS_SHOWN, include: { reporter: { select: { name: true } } } },
        },
      },
    },
  });
  const page = keysetPage(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((a) => ({
      id: a.id,
      message: a.message,
      createdAt: a.createdAt,
      status: input.status,
      note: a.note,
      decidedAt: a.decidedAt,
      decidedBy: a.decidedBy?.name ?? null,
      user: a.user,
      ban: {
        id: a.ban.id,
        kind: BAN_KIND_OF[a.ban.kind],
        value: a.ban.value,
        reason: a.ban.reason,
        createdAt: a.ban.createdAt,
        expiresAt: a.ban.expiresAt,
        liftedAt: a.ban.liftedAt,
        issuedBy: a.ban.issuedBy?.name ?? null,
      },
      reports: a.ban.reports.map((r) => ({ id: r.id, reason: REASON_NAME[r.reason], comment: r.comment, createdAt: r.createdAt, reporter: r.reporter.name, matchId: r.matchId })),
    })),
  };
}

export const acceptAppealHandler = ({ ctx, input }: { ctx: AdminContext; input: { appealId: string; note: string } }) => acceptAppeal(moderationDeps(ctx), moderatorOf(ctx), input);

export const rejectAppealHandler = ({ ctx, input }: { ctx: AdminContext; input: { appealId: string; note: string } }) => rejectAppeal(moderationDeps(ctx), moderatorOf(ctx), input);

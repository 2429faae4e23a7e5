// admin.reports.*: the moderators' queue of random-chat reports, oldest first, with what a decision needs (who, which
// device and address, what each side was reported and banned for before, the match), and the actions on them.
import type { Prisma, ReportStatus } from "@qualmeet/db";
import { banFromReports, dismissReport, warnReported } from "../../moderation/reportActions.ts";
import { REASON_NAME, REASONS } from "../../moderation/reports.ts";
import { BAN_KIND_OF } from "../../moderation/restrictions.ts";
import { addressBlock } from "../../services/clientIp.ts";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import { moderationDeps, moderatorOf, type AdminContext } from "./moderator.ts";
import type { BanFromReportsSchemaInput, HandleReportInput, ListReportsInput } from "./reports.schema.ts";

const STATUS: Record<ListReportsInput["status"], ReportStatus> = { open: "OPEN", dismissed: "DISMISSED", warned: "WARNED", banned: "ACTIONED" };
const HOUR = 3_600_000;
/** earlier bans shown per person: enough to see a pattern */
const PRIOR_BANS_SHOWN = 5;

const person = { select: { id: true, name: true, isGuest: true } } as const;

export async function listReportsHandler({ ctx, input }: { ctx: AdminContext; input: ListReportsInput }) {
  const now = Date.now();
  const createdAt: Prisma.DateTimeFilter = {};
  if (input.minAgeHours !== undefined) createdAt.lte = new Date(now - input.minAgeHours * HOUR);
  if (input.maxAgeHours !== undefined) createdAt.gte = new Date(now - input.maxAgeHours * HOUR);
  const rows = await ctx.db.report.findMany({
    where: {
      AND: [{ status: STATUS[input.status], ...(input.reason ? { reason: REASONS[input.reason] } : {}), createdAt }, afterCursor(input.cursor, "createdAt", "asc")],
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: input.limit + 1,
    include: { reporter: person, reportedUser: person, resolvedBy: { select: { name: true } } },
  });
  const page = keysetPage(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));

  // the bans, lifted or not, on anyone in this page, by user, device or address block
  const sides = page.items.flatMap((r) => [
    { userId: r.reporterId, deviceId: r.reporterDeviceId, ip: addressBlock(r.reporterIp) },
    { userId: r.reportedUserId, deviceId: r.reportedDeviceId, ip: addressBlock(r.reportedIp) },
  ]);
  const bans = sides.length
    ? await ctx.db.ban.findMany({
        where: {
          OR: [
            { kind: "USER", value: { in: sides.map((s) => s.userId) } },
            { kind: "DEVICE", value: { in: sides.map((s) => s.deviceId) } },
            { kind: "IP", value: { in: sides.map((s) => s.ip) } },
          ],
        },
        orderBy: { createdAt: "desc" },
        take: 500,
        select: { id: true, kind: true, value: true, reason: true, createdAt: true, expiresAt: true, liftedAt: true },
      })
    : [];
  const bansOf = (side: { userId: string; deviceId: string; ip: string }) => {
    const matching = bans.filter((b) => b.value === (b.kind === "USER" ? side.userId : b.kind === "DEVICE" ? side.deviceId : side.ip));
    return {
      total: matching.length,
      recent: matching.slice(0, PRIOR_BANS_SHOWN).map((b) => ({
        id: b.id,
        kind: BAN_KIND_OF[b.kind],
        reason: b.reason,
        createdAt: b.createdAt,
        active: b.liftedAt === null && (b.expiresAt === null || b.expiresAt.getTime() > now),
      })),
    };
  };

  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      reason: REASON_NAME[r.reason],
      comment: r.comment,
      createdAt: r.createdAt,
      matchId: r.matchId,
      status: input.status,
      resolution: r.resolution,
      resolvedAt: r.resolvedAt,
      resolvedBy: r.resolvedBy?.name ?? null,
      banId: r.banId,
      reporter: {
        ...r.reporter,
        deviceId: r.reporterDeviceId,
        ip: r.reporterIp,
        priorReportsAgainst: r.reporterPriorReports,
        priorReportsFiled: r.reporterPriorFiled,
        bans: bansOf({ userId: r.reporterId, deviceId: r.reporterDeviceId, ip: addressBlock(r.reporterIp) }),
      },
      reported: {
        ...r.reportedUser,
        deviceId: r.reportedDeviceId,
        ip: r.reportedIp,
        priorReportsAgainst: r.reportedPriorReports,
        bans: bansOf({ userId: r.reportedUserId, deviceId: r.reportedDeviceId, ip: addressBlock(r.reportedIp) }),
      },
    })),
  };
}

export const dismissReportHandler = ({ ctx, input }: { ctx: AdminContext; input: HandleReportInput }) => dismissReport(moderationDeps(ctx), moderatorOf(ctx), input);

export const warnReportedHandler = ({ ctx, input }: { ctx: AdminContext; input: HandleReportInput }) => warnReported(moderationDeps(ctx), moderatorOf(ctx), input);

export const banFromReportsHandler = ({ ctx, input }: { ctx: AdminContext; input: BanFromReportsSchemaInput }) => banFromReports(moderationDeps(ctx), moderatorOf(ctx), input);

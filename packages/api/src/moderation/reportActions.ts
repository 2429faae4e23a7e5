// What a moderator does with reports from the admin console's queue: dismiss, warn the reported person, or ban their
// user, device or address (several reports at once). Each action claims its reports in the transaction that makes
// the change and writes its audit entry: of two moderators acting on the same report at once, the row lock lets the
// first through and the second finds it handled, so there is one outcome and one audit entry, and the second is
// told who got there first.
import { TRPCError } from "@trpc/server";
import type { Prisma, ReportStatus } from "@qualmeet/db";
import type { BanKind, RandomMatches } from "../random/contract.ts";
import { addressBlock } from "../services/clientIp.ts";
import { enforceBan, recordBan } from "./bans.ts";
import { leaveNotice } from "./notices.ts";
import { announceQueueChange } from "./queueFeed.ts";
import type { Caller } from "./reports.ts";
import type { StoreDeps } from "./restrictions.ts";

const HANDLED_AS: Record<ReportStatus, string> = { OPEN: "open", ACTIONED: "banned", DISMISSED: "dismissed", WARNED: "warned" };

interface ClaimedReport {
  id: string;
  reportedUserId: string;
  reportedDeviceId: string;
  reportedIp: string;
}

/**
 * Moves the reports from OPEN to `status` with the moderator and reason, or throws (rolling the transaction back):
 * NOT_FOUND naming an unknown id, CONFLICT naming a report someone handled already (all or nothing).
 */
async function claimReports(tx: Prisma.TransactionClient, admin: Caller, reportIds: string[], status: ReportStatus, reason: string): Promise<ClaimedReport[]> {
  // locked first: a second moderator's claim waits here for the first one's commit, then reads the report handled
  await tx.$queryRaw`SELECT "id" FROM "Report" WHERE "id" = ANY(${reportIds}::uuid[]) ORDER BY "id" FOR UPDATE`;
  const reports = await tx.report.findMany({
    where: { id: { in: reportIds } },
    select: { id: true, status: true, resolvedAt: true, resolvedBy: { select: { name: true } }, reportedUserId: true, reportedDeviceId: true, reportedIp: true },
  });
  const unknown = reportIds.find((id) => !reports.some((report) => report.id === id));
  if (unknown) throw new TRPCError({ code: "NOT_FOUND", message: `There is no report with id ${unknown}: nothing was done.` });
  const taken = reports.find((report) => report.status !== "OPEN");
  if (taken) {
    const by = taken.resolvedBy ? ` by ${taken.resolvedBy.name}` : "";
    throw new TRPCError({
      code: "CONFLICT",
      message: `Report ${taken.id} was already ${HANDLED_AS[taken.status]}${by} at ${taken.resolvedAt?.toISOString() ?? "an earlier time"}: nothing was done. The queue shows it now.`,
    });
  }
  await tx.report.updateMany({ where: { id: { in: reportIds } }, data: { status, resolvedById: admin.userId, resolvedAt: new Date(), resolution: reason } });
  return reports;
}

export async function dismissReport(deps: StoreDeps, admin: Caller, input: { reportId: string; reason: string }): Promise<{ ok: true }> {
  await deps.db.$transaction(async (tx) => {
    await claimReports(tx, admin, [input.reportId], "DISMISSED", input.reason);
    await tx.auditLog.create({
      data: { actorId: admin.userId, action: "moderation.dismissReport", targetType: "report", targetId: input.reportId, ip: admin.ip, data: { reason: input.reason } },
    });
  });
  await announceQueueChange(deps.redis, { type: "handled", reportIds: [input.reportId] });
  return { ok: true };
}

/** The reported person reads the reason at their next visit of random chat and acknowledges it. */
export async function warnReported(deps: StoreDeps, admin: Caller, input: { reportId: string; reason: string }): Promise<{ ok: true }> {
  await deps.db.$transaction(async (tx) => {
    const [report] = await claimReports(tx, admin, [input.reportId], "WARNED", input.reason);
    await leaveNotice(tx, { kind: "WARNING", userId: report!.reportedUserId, deviceId: report!.reportedDeviceId, text: input.reason });
    await tx.auditLog.create({
      data: {
        actorId: admin.userId,
        action: "moderation.warn",
        targetType: "user",
        targetId: report!.reportedUserId,
        ip: admin.ip,
        data: { reportId: input.reportId, reason: input.reason, deviceId: report!.reportedDeviceId },
      },
    });
  });
  await announceQueueChange(deps.redis, { type: "handled", reportIds: [input.reportId] });
  return { ok: true };
}

export interface BanFromReportsInput {
  reportIds: string[];
  /** what of each reported person is banned */
  target: BanKind;
  reason: string;
  /** null: forever */
  durationMinutes: number | null;
}

const targetOf = (report: ClaimedReport, target: BanKind): string =>
  target === "user" ? report.reportedUserId : target === "device" ? report.reportedDeviceId : addressBlock(report.reportedIp);

/**
 * Bans the reported user, device or address of every report, all or none: one ban (and one audit entry) per
 * distinct person banned, however many of the reports name them; each report records the ban it led to.
 */
export async function banFromReports(
  deps: StoreDeps & { matches: RandomMatches },
  admin: Caller,
  input: BanFromReportsInput,
): Promise<{ bans: Array<{ banId: string; value: string }> }> {
  const reportIds = [...new Set(input.reportIds)];
  const bans = await deps.db.$transaction(async (tx) => {
    const reports = await claimReports(tx, admin, reportIds, "ACTIONED", input.reason);
    const byTarget = new Map<string, ClaimedReport[]>();
    for (const report of reports) byTarget.set(targetOf(report, input.target), [...(byTarget.get(targetOf(report, input.target)) ?? []), report]);
    const made: Array<{ banId: string; value: string; userIds: string[] }> = [];
    for (const [value, group] of byTarget) {
      const ids = group.map((report) => report.id);
      const { banId } = await recordBan(tx, admin, { kind: input.target, value, reason: input.reason, durationMinutes: input.durationMinutes }, { reportIds: ids });
      await tx.report.updateMany({ where: { id: { in: ids } }, data: { banId } });
      made.push({ banId, value, userIds: [...new Set(group.map((report) => report.reportedUserId))] });
    }
    return made;
  });
  // every banned person leaves their call and the queue at once (a device or address ban too: it is theirs)
  for (const ban of bans) {
    await enforceBan(deps, ban.banId, input.target, ban.value, null);
    for (const userId of ban.userIds) await deps.matches.removePerson(userId);
  }
  await announceQueueChange(deps.redis, { type: "handled", reportIds });
  return { bans: bans.map(({ banId, value }) => ({ banId, value })) };
}

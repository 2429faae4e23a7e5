// Reports and blocks pressed in a random-chat call (or within a day after it). Who is reported or blocked comes from
// the match random/ recorded, never from the client: the caller names a match and must be one of its two people.
// Both take effect before the next matching attempt (RandomMatches.avoidPair), and are stored so neverMatch keeps
// the two apart from then on. Reports against one device escalate: several within an hour put it on the watch list,
// many people within minutes hold it out of matching until a moderator reviews it; many reports against one address
// (devices changing ids) put the address on the watch list.
import { TRPCError } from "@trpc/server";
import { logger } from "@qualmeet/log";
import type { ReportReason } from "@qualmeet/db";
import type { MatchRecord, RandomMatches, RandomPerson } from "../random/contract.ts";
import { addressBlock } from "../services/clientIp.ts";
import { isUniqueViolation } from "../services/prismaErrors.ts";
import type { SafetyPolicy } from "./policy.ts";
import type { StoreDeps } from "./restrictions.ts";
import { announceQueueChange } from "./queueFeed.ts";
import { addToWatchList } from "./watchList.ts";
import { webhookEvent } from "../webhooks/emitter.ts";

export interface ActionDeps extends StoreDeps {
  matches: RandomMatches;
  policy: SafetyPolicy;
}

/** Who presses: the session's user at the address the server trusts. */
export interface Caller {
  userId: string;
  ip: string;
}

export const REPORT_REASONS = ["nudity", "harassment", "spam", "underage", "hate", "other"] as const;
export type ReportReasonName = (typeof REPORT_REASONS)[number];
export const REASONS: Record<ReportReasonName, ReportReason> = { nudity: "NUDITY", harassment: "HARASSMENT", spam: "SPAM", underage: "UNDERAGE", hate: "HATE", other: "OTHER" };
/** the stored reason as the API names it */
export const REASON_NAME = Object.fromEntries(Object.entries(REASONS).map(([name, stored]) => [stored, name])) as Record<ReportReason, ReportReasonName>;

const NOT_YOUR_MATCH = "You had no call with this id. Only the person you were matched with can be reported or blocked.";

/** The caller's side of the match and the other person's; refused alike for a made-up id and someone else's call. */
async function sidesOf(deps: ActionDeps, caller: Caller, matchId: string): Promise<{ match: MatchRecord; self: RandomPerson; other: RandomPerson }> {
  const match = await deps.matches.findMatch(matchId);
  const self = match?.a.userId === caller.userId ? match.a : match?.b.userId === caller.userId ? match.b : null;
  if (!match || !self) throw new TRPCError({ code: "NOT_FOUND", message: NOT_YOUR_MATCH });
  const other = self === match.a ? match.b : match.a;
  if (other.userId === self.userId) throw new TRPCError({ code: "BAD_REQUEST", message: "This call was with yourself (another tab): there is nobody to report or block." });
  if (match.endedAt !== null && Date.now() - match.endedAt > deps.policy.reportWindowMs) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "This call ended more than a day ago: it can no longer be reported or blocked." });
  }
  return { match, self, other };
}

/** Reports against this user or device so far. */
const reportsAgainst = (deps: ActionDeps, person: RandomPerson) =>
  deps.db.report.count({ where: { OR: [{ reportedUserId: person.userId }, { reportedDeviceId: person.deviceId }] } });

export interface ReportInput {
  matchId: string;
  reason: ReportReasonName;
  comment?: string | undefined;
}

export async function fileReport(deps: ActionDeps, caller: Caller, input: ReportInput): Promise<{ reportId: string; message: string }> {
  const { match, self, other } = await sidesOf(deps, caller, input.matchId);
  const already = await deps.db.report.findUnique({ where: { matchId_reporterId: { matchId: match.matchId, reporterId: self.userId } }, select: { id: true } });
  if (already) throw new TRPCError({ code: "CONFLICT", message: "You already reported this person for this call. A moderator will look at it." });
  const [reporterPriorReports, reportedPriorReports, reporterPriorFiled] = await Promise.all([
    reportsAgainst(deps, self),
    reportsAgainst(deps, other),
    deps.db.report.count({ where: { reporterId: self.userId } }),
  ]);
  // first: whatever happens to the rest, the two are not matched again
  await deps.matches.avoidPair(self, other);
  let reportId: string;
  try {
    reportId = await deps.db.$transaction(async (tx) => {
      const report = await tx.report.create({
        data: {
          matchId: match.matchId,
          reporterId: self.userId,
          reportedUserId: other.userId,
          reason: REASONS[input.reason],
          comment: input.comment || null,
          reporterDeviceId: self.deviceId,
          reportedDeviceId: other.deviceId,
          reporterIp: self.ip,
          reportedIp: other.ip,
          reporterPriorReports,
          reportedPriorReports,
          reporterPriorFiled,
        },
        select: { id: true },
      });
      await tx.auditLog.create({
        data: {
          actorId: self.userId,
          action: "moderation.report",
          targetType: "user",
          targetId: other.userId,
          ip: caller.ip,
          data: { reportId: report.id, matchId: match.matchId, reason: input.reason, reportedDeviceId: other.deviceId },
        },
      });
      return report.id;
    });
  } catch (error) {
    // the same report sent twice at once: the unique (match, reporter) index decides
    if (isUniqueViolation(error)) throw new TRPCError({ code: "CONFLICT", message: "You already reported this person for this call. A moderator will look at it." });
    throw error;
  }
  await announceQueueChange(deps.redis, { type: "filed", reportId });
  webhookEvent(deps.redis, "report.filed", { report: { id: reportId, reason: input.reason, reporterId: self.userId, reportedUserId: other.userId } }, reportId);
  await escalate(deps, other);
  return { reportId, message: "Thank you. Your report was sent to our moderators, and you will not be matched with this person again." };
}

/**
 * Watch-lists or holds the reported device, and watch-lists its address, when the reports against them within the
 * policy's windows call for it.
 */
async function escalate(deps: ActionDeps, reported: RandomPerson): Promise<void> {
  const now = Date.now();
  const lastHour = { gte: new Date(now - deps.policy.watchWindowMs) };
  const [deviceReports, addressReports, recentReporters] = await Promise.all([
    deps.db.report.count({ where: { reportedDeviceId: reported.deviceId, createdAt: lastHour } }),
    deps.db.report.count({ where: { reportedIp: reported.ip, createdAt: lastHour } }),
    deps.db.report.findMany({
      where: { reportedDeviceId: reported.deviceId, createdAt: { gte: new Date(now - deps.policy.holdWindowMs) } },
      distinct: ["reporterId"],
      select: { reporterId: true },
    }),
  ]);
  const minutes = (ms: number) => Math.round(ms / 60_000);
  if (addressReports >= deps.policy.watchAddressAfterReports) {
    const reason = `${addressReports} reports against this address within ${minutes(deps.policy.watchWindowMs)} minutes`;
    await addToWatchList(deps, { kind: "ip", value: addressBlock(reported.ip), reason, held: false, forMs: deps.policy.watchForMs });
  }
  if (recentReporters.length >= deps.policy.holdAfterReporters) {
    const reason = `${recentReporters.length} people reported this device within ${minutes(deps.policy.holdWindowMs)} minutes`;
    if (await addToWatchList(deps, { kind: "device", value: reported.deviceId, reason, held: true, forMs: null })) {
      logger.warn(
        { deviceId: reported.deviceId, userId: reported.userId, reporters: recentReporters.length },
        "moderation: device held out of random chat until a moderator reviews it",
      );
    }
    // out of its current call and the queue at once (also when an earlier report held it: it may have come back)
    await deps.matches.removePerson(reported.userId);
  } else if (deviceReports >= deps.policy.watchAfterReports) {
    const reason = `${deviceReports} reports against this device within ${minutes(deps.policy.watchWindowMs)} minutes`;
    await addToWatchList(deps, { kind: "device", value: reported.deviceId, reason, held: false, forMs: deps.policy.watchForMs });
  }
}

export async function blockPartner(deps: ActionDeps, caller: Caller, matchId: string): Promise<{ message: string }> {
  const { match, self, other } = await sidesOf(deps, caller, matchId);
  await deps.matches.avoidPair(self, other);
  await deps.db.$transaction([
    // ON CONFLICT DO NOTHING: pressing Block twice (two tabs, a retry) blocks once
    deps.db.randomBlock.createMany({
      data: [{ matchId: match.matchId, blockerId: self.userId, blockedId: other.userId, blockerDeviceId: self.deviceId, blockedDeviceId: other.deviceId }],
      skipDuplicates: true,
    }),
    deps.db.auditLog.create({
      data: {
        actorId: self.userId,
        action: "moderation.block",
        targetType: "user",
        targetId: other.userId,
        ip: caller.ip,
        data: { matchId: match.matchId, blockedDeviceId: other.deviceId },
      },
    }),
  ]);
  return { message: "Blocked. You will not be matched with this person again." };
}

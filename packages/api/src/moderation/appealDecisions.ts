// A moderator's answer to an appeal. Accepting lifts the ban (if nobody lifted it meanwhile) and leaves the person a
// notice for their next visit of random chat; rejecting keeps the ban, with the moderator's note. The appeal is
// claimed in the transaction that answers it, so two answers at once give one outcome and one audit entry.
import { TRPCError } from "@trpc/server";
import type { AppealStatus, Prisma } from "@qualmeet/db";
import { recordLift } from "./bans.ts";
import { leaveNotice } from "./notices.ts";
import type { Caller } from "./reports.ts";
import { BAN_KIND_OF, mirrorBanKey, type StoreDeps } from "./restrictions.ts";

export const APPEAL_ACCEPTED_TEXT = "Your ban is lifted: you can use random chat again. Please keep to the rules.";

interface ClaimedAppeal {
  id: string;
  userId: string | null;
  ban: { id: string; kind: "USER" | "DEVICE" | "IP"; value: string };
}

async function claimAppeal(tx: Prisma.TransactionClient, admin: Caller, appealId: string, status: AppealStatus, note: string): Promise<ClaimedAppeal> {
  const { count } = await tx.appeal.updateMany({
    where: { id: appealId, status: "PENDING" },
    data: { status, note, decidedById: admin.userId, decidedAt: new Date() },
  });
  const appeal = await tx.appeal.findUnique({
    where: { id: appealId },
    select: { id: true, userId: true, status: true, decidedAt: true, decidedBy: { select: { name: true } }, ban: { select: { id: true, kind: true, value: true } } },
  });
  if (!appeal) throw new TRPCError({ code: "NOT_FOUND", message: "There is no appeal with this id: nothing was done." });
  // updateMany waited for a concurrent answer's commit and then found the appeal answered: count 0
  if (count === 0) {
    const by = appeal.decidedBy ? ` by ${appeal.decidedBy.name}` : "";
    throw new TRPCError({
      code: "CONFLICT",
      message: `This appeal was already ${appeal.status.toLowerCase()}${by} at ${appeal.decidedAt?.toISOString() ?? "an earlier time"}: nothing was done.`,
    });
  }
  return appeal;
}

export async function acceptAppeal(deps: StoreDeps, admin: Caller, input: { appealId: string; note: string }): Promise<{ ok: true; banLifted: boolean }> {
  const { ban, banLifted } = await deps.db.$transaction(async (tx) => {
    const appeal = await claimAppeal(tx, admin, input.appealId, "ACCEPTED", input.note);
    await tx.auditLog.create({
      data: { actorId: admin.userId, action: "moderation.acceptAppeal", targetType: "appeal", targetId: appeal.id, ip: admin.ip, data: { banId: appeal.ban.id, note: input.note } },
    });
    // lifted meanwhile by someone (the Bans page): the appeal is still accepted and the person still told
    const banLifted = await recordLift(tx, admin, appeal.ban.id, input.note, { appealId: appeal.id });
    await leaveNotice(tx, { kind: "APPEAL_ACCEPTED", userId: appeal.userId, deviceId: appeal.ban.kind === "DEVICE" ? appeal.ban.value : null, text: APPEAL_ACCEPTED_TEXT });
    return { ban: appeal.ban, banLifted };
  });
  await mirrorBanKey(deps, BAN_KIND_OF[ban.kind], ban.value);
  return { ok: true, banLifted };
}

export async function rejectAppeal(deps: StoreDeps, admin: Caller, input: { appealId: string; note: string }): Promise<{ ok: true }> {
  await deps.db.$transaction(async (tx) => {
    const appeal = await claimAppeal(tx, admin, input.appealId, "REJECTED", input.note);
    await tx.auditLog.create({
      data: { actorId: admin.userId, action: "moderation.rejectAppeal", targetType: "appeal", targetId: appeal.id, ip: admin.ip, data: { banId: appeal.ban.id, note: input.note } },
    });
  });
  return { ok: true };
}

// What moderation tells a person at their next visit of random chat: a warning (a report against them was upheld
// without a ban) or an accepted appeal. A notice is addressed to the person's account and device, shown by the
// /random page until they acknowledge it, and then never again.
import { TRPCError } from "@trpc/server";
import type { NoticeKind, Prisma, PrismaClient } from "@qualmeet/db";
import type { RandomPerson } from "../random/contract.ts";

export interface ModerationNoticeView {
  id: string;
  kind: "warning" | "appealAccepted";
  text: string;
  createdAt: Date;
}

const KIND_OF: Record<NoticeKind, ModerationNoticeView["kind"]> = { WARNING: "warning", APPEAL_ACCEPTED: "appealAccepted" };

/** the person's notices: by their account or by the browser they use now */
const addressedTo = (person: Pick<RandomPerson, "userId" | "deviceId">) => ({ OR: [{ userId: person.userId }, { deviceId: person.deviceId }] });

export async function leaveNotice(tx: Prisma.TransactionClient, notice: { kind: NoticeKind; userId: string | null; deviceId: string | null; text: string }): Promise<void> {
  await tx.moderationNotice.create({ data: notice });
}

/** The notices waiting for this person, oldest first. */
export async function pendingNotices(db: PrismaClient, person: Pick<RandomPerson, "userId" | "deviceId">): Promise<ModerationNoticeView[]> {
  const rows = await db.moderationNotice.findMany({
    where: { ...addressedTo(person), acknowledgedAt: null },
    orderBy: { createdAt: "asc" },
    take: 20,
    select: { id: true, kind: true, text: true, createdAt: true },
  });
  return rows.map((row) => ({ ...row, kind: KIND_OF[row.kind] }));
}

/** Marks one of the person's notices read; pressing OK twice (two tabs) is fine, someone else's notice is NOT_FOUND. */
export async function acknowledgeNotice(db: PrismaClient, person: Pick<RandomPerson, "userId" | "deviceId">, noticeId: string): Promise<{ ok: true }> {
  const where = { id: noticeId, ...addressedTo(person) };
  const { count } = await db.moderationNotice.updateMany({ where: { ...where, acknowledgedAt: null }, data: { acknowledgedAt: new Date() } });
  if (count === 0 && !(await db.moderationNotice.findFirst({ where, select: { id: true } }))) {
    throw new TRPCError({ code: "NOT_FOUND", message: "You have no notice with this id." });
  }
  return { ok: true };
}

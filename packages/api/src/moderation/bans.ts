// Random-chat bans (of a user, a device or an address block) and their appeals. A ban is written to PostgreSQL with
// its audit entry, then mirrored in Redis (restrictions.ts); a user ban also takes the person out of their call and
// the queue at once. A banned person sees the notice at Start (reason, until when) and may appeal: one appeal of a
// ban waits for a moderator at a time (a partial unique index on Appeal decides, also for two appeals at once).
import { TRPCError } from "@trpc/server";
import type { Prisma } from "@qualmeet/db";
import { logger } from "@qualmeet/log";
import type { BanKind, BanNotice, RandomMatches, RandomPerson } from "../random/contract.ts";
import { addressBlock } from "../services/clientIp.ts";
import { isUniqueViolation } from "../services/prismaErrors.ts";
import type { SafetyPolicy } from "./policy.ts";
import { BAN_KINDS, BAN_KIND_OF, banTargets, confirmedBan, mirrorBanKey, mirroredState, type StoreDeps } from "./restrictions.ts";
import type { Caller } from "./reports.ts";

export interface BanInput {
  kind: BanKind;
  /** a user id, a device id or an IP address (an IPv6 address bans its /64) */
  value: string;
  reason: string;
  /** null: forever */
  durationMinutes: number | null;
}

/**
 * Writes a ban and its audit entry in the caller's transaction (a ban given from reports claims them in the same
 * one). `extra` goes into the audit entry (e.g. the reports it answers). Mirror it with `enforceBan` once committed.
 */
export async function recordBan(
  tx: Prisma.TransactionClient,
  admin: Caller,
  input: BanInput,
  extra: Record<string, unknown> = {},
): Promise<{ banId: string; until: number | null }> {
  const value = input.kind === "ip" ? addressBlock(input.value) : input.value;
  const expiresAt = input.durationMinutes === null ? null : new Date(Date.now() + input.durationMinutes * 60_000);
  const ban = await tx.ban.create({ data: { kind: BAN_KINDS[input.kind], value, reason: input.reason, expiresAt, issuedById: admin.userId }, select: { id: true } });
  await tx.auditLog.create({
    data: {
      actorId: admin.userId,
      action: "moderation.ban",
      targetType: input.kind,
      targetId: value,
      ip: admin.ip,
      data: { banId: ban.id, reason: input.reason, until: expiresAt?.toISOString() ?? null, ...extra },
    },
  });
  return { banId: ban.id, until: expiresAt?.getTime() ?? null };
}

/** After a ban committed: the mirror names it at the next Start, and a banned user leaves their call and the queue at once. */
export async function enforceBan(deps: StoreDeps & { matches: RandomMatches }, banId: string, kind: BanKind, value: string, userId: string | null): Promise<void> {
  const target = kind === "ip" ? addressBlock(value) : value;
  await mirrorBanKey(deps, kind, target).catch((error: unknown) => {
    // recorded but not mirrored: the mirror's next refill (within mirrorRefreshMs) brings it; the admin is told
    logger.error({ err: error, banId, kind, value: target }, "moderation: ban recorded but not mirrored in Redis");
    throw error;
  });
  if (userId) await deps.matches.removePerson(userId);
}

/** A ban given by name (the Bans page), not from a report. */
export async function createBan(deps: StoreDeps & { matches: RandomMatches }, admin: Caller, input: BanInput): Promise<{ banId: string; until: number | null }> {
  if (input.kind === "user" && !(await deps.db.user.findUnique({ where: { id: input.value }, select: { id: true } }))) {
    throw new TRPCError({ code: "NOT_FOUND", message: "There is no user with this id." });
  }
  const ban = await deps.db.$transaction((tx) => recordBan(tx, admin, input));
  await enforceBan(deps, ban.banId, input.kind, input.value, input.kind === "user" ? input.value : null);
  return ban;
}

/** NOT_FOUND for an unknown ban, CONFLICT naming who lifted it for one lifted already. */
export async function banLiftedAlready(db: Prisma.TransactionClient, banId: string): Promise<TRPCError> {
  const ban = await db.ban.findUnique({ where: { id: banId }, select: { liftedAt: true, liftedBy: { select: { name: true } } } });
  if (!ban) return new TRPCError({ code: "NOT_FOUND", message: "There is no ban with this id." });
  const by = ban.liftedBy ? ` by ${ban.liftedBy.name}` : "";
  return new TRPCError({ code: "CONFLICT", message: `This ban was already lifted${by} at ${ban.liftedAt?.toISOString() ?? "an earlier time"}: nothing was changed.` });
}

/**
 * Lifts an active ban in the caller's transaction with its audit entry; false when it was lifted already (the caller
 * decides whether that is an error). Mirror the change with `mirrorBanKey` once committed.
 */
export async function recordLift(tx: Prisma.TransactionClient, admin: Caller, banId: string, reason: string, extra: Record<string, unknown> = {}): Promise<boolean> {
  const { count } = await tx.ban.updateMany({ where: { id: banId, liftedAt: null }, data: { liftedAt: new Date(), liftedById: admin.userId } });
  if (count === 1) {
    await tx.auditLog.create({ data: { actorId: admin.userId, action: "moderation.liftBan", targetType: "ban", targetId: banId, ip: admin.ip, data: { reason, ...extra } } });
  }
  return count === 1;
}

export async function liftBan(deps: StoreDeps, admin: Caller, banId: string, reason: string): Promise<{ ok: true }> {
  const ban = await deps.db.ban.findUnique({ where: { id: banId }, select: { kind: true, value: true } });
  if (!ban) throw await banLiftedAlready(deps.db, banId);
  // two admins lifting at once: the row lock makes the second see it lifted, and only the first writes an audit entry
  const lifted = await deps.db.$transaction((tx) => recordLift(tx, admin, banId, reason));
  if (!lifted) throw await banLiftedAlready(deps.db, banId);
  await mirrorBanKey(deps, BAN_KIND_OF[ban.kind], ban.value);
  return { ok: true };
}

/** The ban keeping this person out of random chat, if any (for the page: the notice and the appeal form). */
export async function banNotice(deps: StoreDeps, person: RandomPerson, policy: SafetyPolicy): Promise<BanNotice | null> {
  const { bans } = await mirroredState(deps, person, policy.mirrorRefreshMs);
  return confirmedBan(deps, person, bans);
}

const NO_SUCH_BAN = "You have no active ban with this id: only a ban keeping you out now can be appealed.";

export async function fileAppeal(deps: StoreDeps, person: RandomPerson, input: { banId: string; message: string }): Promise<{ appealId: string; status: "pending" }> {
  const now = new Date();
  const ban = await deps.db.ban.findFirst({
    where: { id: input.banId, liftedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { id: true, kind: true, value: true },
  });
  // someone else's ban is refused as if it did not exist: ban ids say nothing about who is banned
  const own = ban && banTargets(person).some(([kind, value]) => BAN_KINDS[kind] === ban.kind && value === ban.value);
  if (!ban || !own) throw new TRPCError({ code: "NOT_FOUND", message: NO_SUCH_BAN });
  try {
    const appealId = await deps.db.$transaction(async (tx) => {
      const appeal = await tx.appeal.create({ data: { banId: ban.id, userId: person.userId, message: input.message }, select: { id: true } });
      await tx.auditLog.create({
        data: { actorId: person.userId, action: "moderation.appeal", targetType: "ban", targetId: ban.id, ip: person.ip, data: { appealId: appeal.id } },
      });
      return appeal.id;
    });
    return { appealId, status: "pending" };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new TRPCError({ code: "CONFLICT", message: "Your appeal of this ban is already waiting for a moderator. You can appeal again once it is answered." });
    throw error;
  }
}

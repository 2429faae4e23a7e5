// Random-chat bans (of a user, a device or an address block) and their appeals. A ban is written to PostgreSQL with
// its audit entry, then mirrored in Redis (restrictions.ts); a user ban also takes the person out of their call and
// the queue at once. A banned person sees the notice at Start (reason, until when) and may appeal: one appeal of a
// ban waits for a moderator at a time (a partial unique index on Appeal decides, also for two appeals at once).
import { TRPCError } from "@trpc/server";
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

export async function createBan(deps: StoreDeps & { matches: RandomMatches }, admin: Caller, input: BanInput): Promise<{ banId: string; until: number | null }> {
  const value = input.kind === "ip" ? addressBlock(input.value) : input.value;
  if (input.kind === "user" && !(await deps.db.user.findUnique({ where: { id: value }, select: { id: true } }))) {
    throw new TRPCError({ code: "NOT_FOUND", message: "There is no user with this id." });
  }
  const expiresAt = input.durationMinutes === null ? null : new Date(Date.now() + input.durationMinutes * 60_000);
  const banId = await deps.db.$transaction(async (tx) => {
    const ban = await tx.ban.create({ data: { kind: BAN_KINDS[input.kind], value, reason: input.reason, expiresAt, issuedById: admin.userId }, select: { id: true } });
    await tx.auditLog.create({
      data: {
        actorId: admin.userId,
        action: "moderation.ban",
        targetType: input.kind,
        targetId: value,
        ip: admin.ip,
        data: { banId: ban.id, reason: input.reason, until: expiresAt?.toISOString() ?? null },
      },
    });
    return ban.id;
  });
  await mirrorBanKey(deps, input.kind, value).catch((error: unknown) => {
    // recorded but not mirrored: the mirror's next refill (within mirrorRefreshMs) brings it; the admin is told
    logger.error({ err: error, banId, kind: input.kind, value }, "moderation: ban recorded but not mirrored in Redis");
    throw error;
  });
  if (input.kind === "user") await deps.matches.removePerson(value);
  return { banId, until: expiresAt?.getTime() ?? null };
}

const NO_ACTIVE_BAN = "There is no ban with this id that is not lifted already.";

export async function liftBan(deps: StoreDeps, admin: Caller, banId: string): Promise<{ ok: true }> {
  const ban = await deps.db.ban.findUnique({ where: { id: banId }, select: { kind: true, value: true } });
  if (!ban) throw new TRPCError({ code: "NOT_FOUND", message: NO_ACTIVE_BAN });
  const lifted = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.ban.updateMany({ where: { id: banId, liftedAt: null }, data: { liftedAt: new Date(), liftedById: admin.userId } });
    if (count === 1) await tx.auditLog.create({ data: { actorId: admin.userId, action: "moderation.liftBan", targetType: "ban", targetId: banId, ip: admin.ip } });
    return count === 1;
  });
  if (!lifted) throw new TRPCError({ code: "NOT_FOUND", message: NO_ACTIVE_BAN });
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

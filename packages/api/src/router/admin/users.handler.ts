// The admin console's users: search, one user's page, and what an admin does to an account (role, sign out
// everywhere, ban). Each action names its reason and writes its audit entry in the transaction that makes it.
import { TRPCError } from "@trpc/server";
import type { Prisma } from "@qualmeet/db";
import { createBan } from "../../moderation/bans.ts";
import { RandomMatchStore } from "../../random/matchStore.ts";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import { escapeLike } from "../../services/likePattern.ts";
import { announceRevocation } from "../../services/sessionRevocation.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { BanUserInput, SearchUsersInput, SetRoleInput, SignOutUserInput } from "./users.schema.ts";

type Ctx = Context & { user: SessionUser };

/** How many of each of a user's meetings, reports and bans their page shows (newest first, with the totals). */
const PAGE_LIST_SIZE = 20;
/**
 * Every role change takes this transaction-level lock first: two admins demoting each other at the same moment
 * would otherwise each still see the other as an admin and leave none. Any fixed bigint, used only here.
 */
const ADMIN_ROLES_LOCK = 1_303_001;
/** a change waits its turn at the lock inside its transaction: room for a few others ahead of it on a busy machine */
const ROLE_CHANGE_TRANSACTION = { timeout: 20_000 };

const NO_SUCH_USER = "There is no user with this id.";
const notFound = () => new TRPCError({ code: "NOT_FOUND", message: NO_SUCH_USER });

const listed = { id: true, name: true, email: true, role: true, isGuest: true, createdAt: true, lastSeenAt: true } as const;

export async function searchUsersHandler({ ctx, input }: { ctx: Ctx; input: SearchUsersInput }) {
  const pattern = escapeLike(input.query);
  const matching: Prisma.UserWhereInput = input.query ? { OR: [{ name: { contains: pattern, mode: "insensitive" } }, { email: { contains: pattern, mode: "insensitive" } }] } : {};
  const rows = await ctx.db.user.findMany({
    where: { AND: [matching, afterCursor(input.cursor, "createdAt", "desc")] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: listed,
  });
  return keysetPage(rows, input.limit, (u) => ({ at: u.createdAt, id: u.id }));
}

export async function userPageHandler({ ctx, input }: { ctx: Ctx; input: { userId: string } }) {
  const { userId } = input;
  const user = await ctx.db.user.findUnique({ where: { id: userId }, select: listed });
  if (!user) throw notFound();
  const reportShape = {
    select: {
      id: true,
      reason: true,
      comment: true,
      status: true,
      createdAt: true,
      reporter: { select: { id: true, name: true } },
      reportedUser: { select: { id: true, name: true } },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE_LIST_SIZE,
  } satisfies Prisma.ReportFindManyArgs;
  const bansOf = { kind: "USER", value: userId } satisfies Prisma.BanWhereInput;
  const [meetings, meetingCount, reportsBy, reportsByCount, reportsAgainst, reportsAgainstCount, bans, banCount] = await Promise.all([
    ctx.db.meetingParticipant.findMany({
      where: { userId },
      select: { id: true, role: true, joinedAt: true, leftAt: true, meeting: { select: { id: true, code: true, title: true, status: true } } },
      orderBy: [{ joinedAt: "desc" }, { id: "desc" }],
      take: PAGE_LIST_SIZE,
    }),
    ctx.db.meetingParticipant.count({ where: { userId } }),
    ctx.db.report.findMany({ ...reportShape, where: { reporterId: userId } }),
    ctx.db.report.count({ where: { reporterId: userId } }),
    ctx.db.report.findMany({ ...reportShape, where: { reportedUserId: userId } }),
    ctx.db.report.count({ where: { reportedUserId: userId } }),
    ctx.db.ban.findMany({
      where: bansOf,
      select: { id: true, reason: true, createdAt: true, expiresAt: true, liftedAt: true, issuedBy: { select: { id: true, name: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: PAGE_LIST_SIZE,
    }),
    ctx.db.ban.count({ where: bansOf }),
  ]);
  return {
    user,
    meetings: { items: meetings, total: meetingCount },
    reportsBy: { items: reportsBy, total: reportsByCount },
    reportsAgainst: { items: reportsAgainst, total: reportsAgainstCount },
    bans: { items: bans, total: banCount },
  };
}

/** Gives or takes the admin role; the last admin cannot lose it (serialised, so two demotions at once cannot either). */
export async function setRoleHandler({ ctx, input }: { ctx: Ctx; input: SetRoleInput }) {
  const changed = await ctx.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(${ADMIN_ROLES_LOCK}::bigint)`;
    // checked again under the lock: an admin demoted a moment ago acts no more
    const actor = await tx.user.findUnique({ where: { id: ctx.user.id }, select: { role: true } });
    if (actor?.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
    const target = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, role: true, isGuest: true } });
    if (!target) throw notFound();
    if (target.isGuest && input.role === "ADMIN")
      throw new TRPCError({ code: "BAD_REQUEST", message: "A guest cannot be an administrator: they have no account to sign in with." });
    if (target.role === input.role) return null;
    if (target.role === "ADMIN" && (await tx.user.count({ where: { role: "ADMIN" } })) <= 1) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: "This is the last administrator: make someone else an administrator first, or the console would have nobody to run it.",
      });
    }
    const user = await tx.user.update({
      where: { id: target.id },
      data: { role: input.role },
      select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true },
    });
    await tx.auditLog.create({
      data: {
        actorId: ctx.user.id,
        action: "admin.user.setRole",
        targetType: "user",
        targetId: target.id,
        ip: ctx.ip,
        data: { from: target.role, to: input.role, reason: input.reason },
      },
    });
    return user;
  }, ROLE_CHANGE_TRANSACTION);
  return { role: changed?.role ?? input.role, changed: changed !== null };
}

/** Ends every session of another user: their pages and open sockets are signed out at once. */
export async function signOutUserHandler({ ctx, input }: { ctx: Ctx; input: SignOutUserInput }) {
  const user = await ctx.db.$transaction(async (tx) => {
    const bumped = await tx.user.updateManyAndReturn({
      where: { id: input.userId },
      data: { tokenVersion: { increment: 1 } },
      select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true },
    });
    const target = bumped[0];
    if (!target) throw notFound();
    await tx.auditLog.create({
      data: { actorId: ctx.user.id, action: "admin.user.signOutEverywhere", targetType: "user", targetId: target.id, ip: ctx.ip, data: { reason: input.reason } },
    });
    return target;
  });
  await announceRevocation(ctx.redis, user);
  return { ok: true as const };
}

/**
 * Bans the account from random chat (what a user ban is in QualMeet: the person sees the ban and may appeal at
 * Start, so they stay signed in), with moderation's own ban record and audit entry; they leave their call at once.
 */
export async function banUserHandler({ ctx, input }: { ctx: Ctx; input: BanUserInput }) {
  if (input.userId === ctx.user.id) throw new TRPCError({ code: "BAD_REQUEST", message: "You cannot ban yourself." });
  return createBan(
    { db: ctx.db, redis: ctx.redis, matches: new RandomMatchStore(ctx.redis) },
    { userId: ctx.user.id, ip: ctx.ip },
    { kind: "user", value: input.userId, reason: input.reason, durationMinutes: input.durationMinutes },
  );
}

// A meeting's row in PostgreSQL as the meeting domain reads and changes it: the read-through cache of meeting
// metadata (`cache:room:{id}`), creation with a fresh public code, and the one way a meeting ends.
import { randomInt } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { Meeting, Prisma, PrismaClient } from "@qualmeet/db";
import { MEETING_CODE_ALPHABET } from "../schemas.ts";
import { isUniqueViolation } from "../services/prismaErrors.ts";
import { appendMeetingEvent } from "./eventLog.ts";
import { meetingKeys } from "./keys.ts";
import { logFailure } from "@qualmeet/log";
import { webhookEvent } from "../webhooks/emitter.ts";

const CACHE_TTL_S = 60;
/** 31^8 ≈ 8.5e11 codes: a collision is rare, and the unique index catches it */
const CODE_ATTEMPTS = 5;

export function newMeetingCode(): string {
  let code = "";
  for (let i = 0; i < 8; i++) code += MEETING_CODE_ALPHABET[randomInt(MEETING_CODE_ALPHABET.length)];
  return code;
}

/** Runs `create` (a meeting's insert) with a fresh code, drawing again when the code is taken. */
export async function withFreshMeetingCode<T>(create: (code: string) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    try {
      return await create(newMeetingCode());
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Could not allocate a meeting code; please try again." });
}

/** The meeting with this code, from the cache when it is there. */
export async function meetingByCode(db: PrismaClient, redis: Redis, code: string): Promise<Meeting | null> {
  const cachedId = await redis.get(meetingKeys.cachedCode(code)).catch(() => null);
  if (cachedId) {
    const cached = await redis.get(meetingKeys.cachedMeeting(cachedId)).catch(() => null);
    if (cached) return reviveMeeting(JSON.parse(cached) as Meeting);
  }
  const meeting = await db.meeting.findUnique({ where: { code } });
  if (meeting) {
    await redis
      .multi()
      .set(meetingKeys.cachedMeeting(meeting.id), JSON.stringify(meeting), "EX", CACHE_TTL_S)
      .set(meetingKeys.cachedCode(code), meeting.id, "EX", CACHE_TTL_S)
      .exec()
      .catch(logFailure("meeting: row not cached (read from PostgreSQL again next time)", { code }));
  }
  return meeting;
}

/** The meeting's row changed: the next read goes to PostgreSQL. */
export function forgetCachedMeeting(redis: Redis, meetingId: string): Promise<number> {
  return redis.del(meetingKeys.cachedMeeting(meetingId));
}

/** Ends the meeting for everyone (every node sees the event and closes its part), in the audit log with who and from where. */
export async function endMeeting(db: PrismaClient, redis: Redis, end: { meetingId: string; actorId: string; ip: string }): Promise<{ endedAt: Date }> {
  const endedAt = new Date();
  await db.meeting.update({ where: { id: end.meetingId }, data: { status: "ENDED", endedAt } });
  await db.auditLog.create({ data: { actorId: end.actorId, action: "meeting.end", targetType: "meeting", targetId: end.meetingId, ip: end.ip } });
  await announceEnd(redis, end.meetingId);
  return { endedAt };
}

/**
 * Ends a meeting nobody ended by hand (it stayed empty, its call ended) unless it ended already or no longer
 * matches `only`; true when this call ended it. In the audit log without an actor, with the reason.
 */
export async function endMeetingUnattended(
  db: PrismaClient,
  redis: Redis,
  meetingId: string,
  reason: "idle" | "call ended",
  only: Prisma.MeetingWhereInput = {},
): Promise<boolean> {
  const endedAt = new Date();
  const { count } = await db.meeting.updateMany({ where: { AND: [only, { id: meetingId, status: { not: "ENDED" } }] }, data: { status: "ENDED", endedAt } });
  if (count === 0) return false;
  await db.auditLog.create({ data: { action: "meeting.end", targetType: "meeting", targetId: meetingId, data: { reason } } });
  await announceEnd(redis, meetingId);
  return true;
}

/** The meeting's end reaches every node (each closes its part) and the next read of its row. */
export async function announceEnd(redis: Redis, meetingId: string): Promise<void> {
  await forgetCachedMeeting(redis, meetingId);
  await appendMeetingEvent(redis, meetingId, { type: "meeting.ended" });
  webhookEvent(redis, "meeting.ended", { meeting: { id: meetingId } }, meetingId);
}

function reviveMeeting(m: Meeting): Meeting {
  const date = (v: unknown) => (v ? new Date(v as string) : null);
  return { ...m, createdAt: new Date(m.createdAt), startedAt: date(m.startedAt), endedAt: date(m.endedAt) };
}

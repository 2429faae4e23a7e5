// Who may enter a meeting, decided the same way for `room.join` and for asking to join (`lobby.knock`):
//   - the host always enters;
//   - someone the host removed is refused until the host lets them back (MeetingRemoval, PostgreSQL);
//   - someone who joined or was let in before (room:{id}:admitted) enters again: a reload or a reconnect is not
//     "someone new" for the lock or the lobby;
//   - a locked meeting refuses everyone else;
//   - with the lobby on, everyone else waits for the host; so does a guest joining from the address of a removed
//     guest (a new guest identity is one click away; a new address is not);
//   - anyone else enters.
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { logFailure } from "@qualmeet/log";
import { meetingKeys } from "./keys.ts";
import type { Caller } from "./participants.ts";

export const REMOVED_FROM_MEETING = "You were removed from this meeting.";
export const MEETING_LOCKED = "This meeting is locked by the host.";
export const LOBBY_WAITING = "Waiting for the host to let you in";
export const LOBBY_DENIED = "The host did not let you in to this meeting.";
const ASK_FIRST = "This meeting has a lobby: ask to join and wait for the host to let you in.";

/** How long being let in (or having joined) counts: a meeting's day. */
export const ADMITTED_TTL_MS = 24 * 60 * 60 * 1000;

/** Enter now, wait in the lobby, or refused: removed by the host, or new to a locked meeting. */
export type Admission = "enter" | "wait" | "removed" | "locked";

export const removedFromMeeting = () => new TRPCError({ code: "FORBIDDEN", message: REMOVED_FROM_MEETING });

/** Whether `caller` enters the meeting now, waits in its lobby, or is refused. */
export async function admissionOf(db: PrismaClient, redis: Redis, meetingId: string, caller: Pick<Caller, "user" | "ip">): Promise<Admission> {
  const meeting = await db.meeting.findUnique({ where: { id: meetingId }, select: { hostId: true, locked: true, lobbyEnabled: true } });
  if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: "There is no such meeting." });
  const userId = caller.user.id;
  if (meeting.hostId === userId) return "enter";
  const removed = await db.meetingRemoval.findUnique({ where: { meetingId_userId: { meetingId, userId } }, select: { userId: true } });
  if (removed) return "removed";
  if ((await redis.sismember(meetingKeys.admitted(meetingId), userId)) === 1) return "enter";
  if (meeting.locked) return "locked";
  if (meeting.lobbyEnabled) return "wait";
  if (caller.user.isGuest && caller.ip !== "unknown") {
    const removedGuestHere = await db.meetingRemoval.findFirst({ where: { meetingId, isGuest: true, ip: caller.ip }, select: { userId: true } });
    if (removedGuestHere) return "wait";
  }
  return "enter";
}

/** `room.join`'s gate: the caller enters, or is refused with what to do. */
export async function requireAdmission(db: PrismaClient, redis: Redis, meetingId: string, caller: Caller): Promise<void> {
  const admission = await admissionOf(db, redis, meetingId, caller);
  if (admission === "enter") return;
  throw admission === "removed" ? removedFromMeeting() : new TRPCError({ code: "FORBIDDEN", message: admission === "locked" ? MEETING_LOCKED : ASK_FIRST });
}

/** The caller joined: from now on they pass the lock and the lobby of this meeting (reloads, reconnects, other tabs). */
export function rememberAdmitted(redis: Redis, meetingId: string, userId: string): void {
  const key = meetingKeys.admitted(meetingId);
  void redis
    .multi()
    .sadd(key, userId)
    .pexpire(key, ADMITTED_TTL_MS)
    .exec()
    .catch(logFailure("meeting: a participant was not remembered as admitted (with the lobby on or the meeting locked, their next join asks again)", { meetingId, userId }));
}

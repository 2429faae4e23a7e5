// The host's admission choices for a meeting (lock, lobby), before it starts or during it: stored on the Meeting
// row, shown to the host's open lobby panels (the lobby's channel) and written to the audit log. Turning the lobby
// off lets everyone waiting in (unless the meeting is locked: then they wait for the host's decision).
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { logFailure } from "@qualmeet/log";
import { admitEveryone, lobbyChanged } from "./lobby.ts";
import { forgetCachedMeeting } from "./meetingRecords.ts";

export interface MeetingAccess {
  locked: boolean;
  lobbyEnabled: boolean;
}

/** Applies the host's change (the fields given) and answers the meeting's settings after it. */
export async function setMeetingAccess(
  deps: { db: PrismaClient; redis: Redis },
  change: { meetingId: string; actorId: string; ip: string; locked?: boolean; lobbyEnabled?: boolean },
): Promise<MeetingAccess> {
  const { db, redis } = deps;
  const { meetingId } = change;
  const before = await db.meeting.findUniqueOrThrow({ where: { id: meetingId }, select: { locked: true, lobbyEnabled: true } });
  const after: MeetingAccess = { locked: change.locked ?? before.locked, lobbyEnabled: change.lobbyEnabled ?? before.lobbyEnabled };
  if (after.locked === before.locked && after.lobbyEnabled === before.lobbyEnabled) return after;
  await db.meeting.update({ where: { id: meetingId }, data: after });
  const actions = [
    after.locked !== before.locked ? (after.locked ? "meeting.lock" : "meeting.unlock") : null,
    after.lobbyEnabled !== before.lobbyEnabled ? (after.lobbyEnabled ? "meeting.lobbyOn" : "meeting.lobbyOff") : null,
  ].filter((action): action is string => action !== null);
  for (const action of actions) await db.auditLog.create({ data: { actorId: change.actorId, action, targetType: "meeting", targetId: meetingId, ip: change.ip } });
  await forgetCachedMeeting(redis, meetingId).catch(logFailure("meeting: cached row not dropped (it expires with its TTL)", { meetingId }));
  if (before.lobbyEnabled && !after.lobbyEnabled && !after.locked) await admitEveryone(redis, meetingId);
  await lobbyChanged(redis, meetingId);
  return after;
}

// Meetings with nobody in them end after MEETING_IDLE_END_MS: a code left lying around (a link in an old chat,
// a browser's history) no longer joins anyone's meeting. Every realtime node sweeps; the state is PostgreSQL's
// (who came and went, `meeting_participant`) and Redis's (which node holds a meeting), so a sweep holds across
// nodes and restarts, and two nodes sweeping at once end a meeting once.
//
// A meeting is left alone while anyone came or went within the idle time, and until someone first joins it. The end is conditional on the row still
// being SCHEDULED (nobody in it: the last one out sets it back): a join makes the row LIVE before anything else,
// also conditionally (mediaOwner.ts), so of a join and an end that cross, PostgreSQL lets exactly one through and
// the join that lost is told "This meeting has ended.". A LIVE row no node holds (its owner key is gone) lost its
// node with people in it: it is set back to SCHEDULED, and ends at a later sweep like any empty meeting.
import type { Redis } from "ioredis";
import type { Prisma, PrismaClient } from "@qualmeet/db";
import { meetingKeys } from "./keys.ts";
import { endMeetingUnattended } from "./meetingRecords.ts";

/** How many meetings one sweep looks at (the rest wait for the next sweep). */
const SWEEP_BATCH = 100;

/** How often a node sweeps for an idle time: often enough that a meeting ends within about a quarter of it. */
export const idleSweepInterval = (idleMs: number): number => Math.min(60_000, Math.max(500, Math.floor(idleMs / 4)));

/** Ends the meetings idle for `idleMs` at `now`; returns how many this sweep ended. */
export async function endIdleMeetings(deps: { db: PrismaClient; redis: Redis }, idleMs: number, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - idleMs);
  // a meeting nobody ever joined is a link made for later ("next week"): it waits for its first join
  const quiet: Prisma.MeetingWhereInput = {
    createdAt: { lt: cutoff },
    AND: [{ participants: { some: {} } }, { participants: { none: { OR: [{ joinedAt: { gte: cutoff } }, { leftAt: { gte: cutoff } }] } } }],
  };
  const idle = await deps.db.meeting.findMany({
    where: { AND: [quiet, { status: { not: "ENDED" } }] },
    select: { id: true, status: true },
    orderBy: { createdAt: "asc" },
    take: SWEEP_BATCH,
  });
  let ended = 0;
  for (const meeting of idle) {
    if (meeting.status === "LIVE") {
      if ((await deps.redis.exists(meetingKeys.owner(meeting.id))) === 0) {
        await deps.db.meeting.updateMany({ where: { id: meeting.id, status: "LIVE" }, data: { status: "SCHEDULED" } });
      }
      continue;
    }
    if (await endMeetingUnattended(deps.db, deps.redis, meeting.id, "idle", { AND: [quiet, { status: "SCHEDULED" }] })) ended++;
  }
  return ended;
}

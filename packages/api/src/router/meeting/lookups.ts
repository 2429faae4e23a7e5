import { configuredRateLimit } from "../../trpc.ts";

/**
 * Every way of finding a meeting by its code (opening /m/<code>, meeting.get, room.join) takes from one bucket per
 * IP: an unknown code answers NOT_FOUND, so without a limit codes could be tried until one exists.
 */
export const meetingCodeLookups = configuredRateLimit(
  "RATE_LIMIT_MEETING_LOOKUPS_PER_MIN",
  { scope: "meeting:code:ip", windowMs: 60_000 },
  "meeting codes tried from your network",
  "ip",
);

import type { DashboardFeed } from "../metrics/dashboardFeed.ts";
import type { MeetingEventLog, TrackedEventSink } from "../meeting/eventLog.ts";
import type { MeetingService } from "../meeting/meetingService.ts";
import type { RandomService } from "../random/randomService.ts";
import type { Bus } from "./bus.ts";
import type { PresenceRegistry } from "./presence.ts";

/** What the realtime server adds to the tRPC context. */
export interface RealtimeServices {
  nodeId: string;
  bus: Bus;
  presence: PresenceRegistry;
  meetings: MeetingService;
  meetingEvents: MeetingEventLog;
  /** random chat: the queue, the matches (which moderation's reports, blocks and bans act on) */
  random: RandomService;
  /** the admin dashboard's numbers, one reader for every subscriber of the node */
  dashboard: DashboardFeed;
  /** the socket this call came on; a meeting participant is bound to the socket that joined */
  connectionId: string;
  /** set by the WebSocket handler on a subscription's context: writes its tracked events straight to the socket */
  eventSink?: TrackedEventSink;
}

/** Channel on which revocations (sign-out everywhere, bans) reach every node, which closes the sockets. */
export const SESSION_REVOKED_CHANNEL = "session:revoked";

export interface SessionRevokedEvent {
  userId: string;
  tokenVersion: number;
}

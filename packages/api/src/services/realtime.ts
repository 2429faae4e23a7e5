import type { Bus } from "./bus.ts";
import type { RoomService } from "./roomService.ts";
import type { PresenceRegistry } from "./presence.ts";
import type { RoomEventLog, TrackedEventSink } from "./roomEventLog.ts";

/** What the realtime server adds to the tRPC context. */
export interface RealtimeServices {
  nodeId: string;
  bus: Bus;
  presence: PresenceRegistry;
  rooms: RoomService;
  roomEvents: RoomEventLog;
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

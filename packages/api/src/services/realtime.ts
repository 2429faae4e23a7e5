import type { Bus } from "./bus.ts";
import type { PresenceRegistry } from "./presence.ts";

/** What the realtime server adds to the tRPC context. */
export interface RealtimeServices {
  nodeId: string;
  bus: Bus;
  presence: PresenceRegistry;
}

/** Channel on which revocations (sign-out everywhere, bans) reach every node, which closes the sockets. */
export const SESSION_REVOKED_CHANNEL = "session:revoked";

export interface SessionRevokedEvent {
  userId: string;
  tokenVersion: number;
}

// The realtime server's entry into the API package (loads mediasoup through @qualmeet/media).
export { realtimeRouter } from "./realtimeRoot.ts";
export { Bus } from "./services/bus.ts";
export { PresenceRegistry, HEARTBEAT_MS, PRESENCE_TTL_S } from "./services/presence.ts";
export { consumeToken } from "./services/rateLimit.ts";
export { MediaOwner } from "./meeting/mediaOwner.ts";
export { MeetingService } from "./meeting/meetingService.ts";
export { MeetingEventLog, type SharedTrackedEvent } from "./meeting/eventLog.ts";
export type { RealtimeServices } from "./services/realtime.ts";
export { ChatPersister } from "./chat/chatPersister.ts";
export { endFinishedCalls, expireRinging } from "./chat/calls.ts";
export { RandomService } from "./random/randomService.ts";
export { RandomSafetyService } from "./moderation/safety.ts";
export { createNodeMetrics, type NodeMetrics } from "./metrics/nodeMetrics.ts";
export { NodeSnapshotPublisher } from "./metrics/nodeSnapshots.ts";
export { createClusterMetrics } from "./metrics/clusterMetrics.ts";
export { DashboardFeed } from "./metrics/dashboardFeed.ts";
export { serviceMetrics } from "./metrics/serviceMetrics.ts";
export { countProcedureError } from "./metrics/procedureErrors.ts";

// The realtime server's entry into the API package (loads mediasoup through @qualmeet/media).
export { realtimeRouter } from "./realtimeRoot.ts";
export { Bus } from "./services/bus.ts";
export { PresenceRegistry, HEARTBEAT_MS, PRESENCE_TTL_S } from "./services/presence.ts";
export { MeetingRooms } from "./services/meetingRooms.ts";
export { RoomService } from "./services/roomService.ts";
export { RoomEventLog } from "./services/roomEventLog.ts";
export type { RealtimeServices } from "./services/realtime.ts";

import type { MeetingMode } from "@qualmeet/db";

/** By default, meetings of at most this many people run as a P2P mesh; bigger ones go through the SFU. */
export const MESH_MAX_PARTICIPANTS = 3;

/** The mode a meeting of this size starts and stays in when full (its live topology follows who is there). */
export const modeFor = (maxParticipants: number, meshMax = MESH_MAX_PARTICIPANTS): MeetingMode => (maxParticipants <= meshMax ? "P2P" : "SFU");

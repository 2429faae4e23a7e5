import type { MeetingMode } from "@qualmeet/db";

/** Meetings of at most this many people run as a P2P mesh; bigger ones go through the SFU. */
export const MESH_MAX_PARTICIPANTS = 3;

export const modeFor = (maxParticipants: number): MeetingMode => (maxParticipants <= MESH_MAX_PARTICIPANTS ? "P2P" : "SFU");

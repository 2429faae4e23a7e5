import type { MeetingMode } from "@qualmeet/db";

/** By default, meetings of at most this many people run as a P2P mesh; bigger ones go through the SFU. */
export const MESH_MAX_PARTICIPANTS = 3;

/** The mode a meeting of this size starts and stays in when full (its live topology follows who is there). */
export const modeFor = (maxParticipants: number, meshMax = MESH_MAX_PARTICIPANTS): MeetingMode => (maxParticipants <= meshMax ? "P2P" : "SFU");

/**
 * The topology a live meeting with `participants` people in it runs on: a mesh up to its P2P limit, the SFU past
 * it (an empty meeting starts as a mesh). After people leave the room waits a quiet period before going back to P2P.
 */
export const liveModeFor = (participants: number, meshMax: number): MeetingMode => (meshMax > 0 && participants <= meshMax ? "P2P" : "SFU");

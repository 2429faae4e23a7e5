import type { Redis } from "ioredis";
import type { MeetingMode } from "@qualmeet/db";
import { meetingKeys } from "./keys.ts";

/** By default, meetings of at most this many people run as a P2P mesh; bigger ones go through the SFU. */
export const MESH_MAX_PARTICIPANTS = 3;

/** The mode a meeting of this size starts and stays in when full (its live topology follows who is there). */
export const modeFor = (maxParticipants: number, meshMax = MESH_MAX_PARTICIPANTS): MeetingMode => (maxParticipants <= meshMax ? "P2P" : "SFU");

/**
 * The topology a live meeting with `participants` people in it runs on: a mesh up to its P2P limit, the SFU past
 * it (an empty meeting starts as a mesh). After people leave the room waits a quiet period before going back to P2P.
 */
export const liveModeFor = (participants: number, meshMax: number): MeetingMode => (meshMax > 0 && participants <= meshMax ? "P2P" : "SFU");

/** Who is in a meeting now and so the topology it runs on (for the pre-join screen). */
export async function liveTopology(redis: Redis, meeting: { id: string; p2pMaxParticipants: number }): Promise<{ participants: number; mode: MeetingMode }> {
  const participants = await redis.hlen(meetingKeys.presence(meeting.id));
  return { participants, mode: liveModeFor(participants, meeting.p2pMaxParticipants) };
}

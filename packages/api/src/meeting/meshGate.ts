// Whether a meeting relays P2P signals (offers, answers, ICE candidates): only while its media runs on the mesh
// (P2P mode, or a node without a media server, which keeps every meeting on the mesh), and for a short wind-down
// after a switch to the SFU while the browsers move their media over. In an SFU meeting nobody's ICE candidates,
// and so nobody's IP address, reach another participant. The media owner records the state in Redis
// (meetingKeys.mesh) before it announces a mode change, so the node holding a caller's socket relays a signal
// without asking the owner (EdgeMembers) and still under the same rule: the append script checks the key.
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import { appendP2PSignal, STREAM_TTL_MS } from "./eventLog.ts";
import type { P2PSignal } from "./events.ts";
import { meetingKeys } from "./keys.ts";
import { TARGET_NOT_IN_MEETING } from "./messages.ts";
import type { LiveMeeting } from "./participants.ts";

/** How long signals still pass after a switch to the SFU: the browsers keep the mesh until the SFU's media flows. */
export const MESH_WIND_DOWN_MS = 30_000;

export const SIGNALS_CLOSED = "This meeting runs through the media server: direct (P2P) connections are off, so P2P signals are not relayed.";

/** Whether the meeting's media runs on the mesh. */
export const meshCarries = (live: Pick<LiveMeeting, "mode" | "media">): boolean => live.mode === "P2P" || live.media === null;

/**
 * Records whether the meeting relays signals: for as long as a meeting's log lives while on the mesh (renewed at
 * each join and mode change), for the wind-down after leaving it (a meeting that never ran on the mesh never relays).
 */
export function recordMesh(redis: Redis, live: Pick<LiveMeeting, "mode" | "media" | "meeting">): Promise<unknown> {
  const key = meetingKeys.mesh(live.meeting.id);
  return meshCarries(live) ? redis.set(key, "1", "PX", STREAM_TTL_MS) : redis.set(key, "1", "PX", MESH_WIND_DOWN_MS, "XX");
}

export function forgetMesh(redis: Redis, meetingId: string): Promise<number> {
  return redis.del(meetingKeys.mesh(meetingId));
}

/** Relays a P2P signal to one other participant, or refuses it with the reason. */
export async function relaySignal(redis: Redis, meetingId: string, fromPeerId: string, targetPeerId: string, signal: P2PSignal): Promise<void> {
  const result = targetPeerId === fromPeerId ? "absent" : await appendP2PSignal(redis, meetingId, { type: "p2p.signal", fromPeerId, signal }, targetPeerId);
  if (result === "absent") throw new TRPCError({ code: "NOT_FOUND", message: TARGET_NOT_IN_MEETING });
  if (result === "closed") throw new TRPCError({ code: "PRECONDITION_FAILED", message: SIGNALS_CLOSED });
}

// What the admin console needs of live meetings from the web app, which is no realtime node: where each meeting's
// media runs (its owner node, on the P2P mesh or the SFU), and an admin's removal of someone, run by that owner
// node as the host's removal is (the typed `removeUser` command over NodeRpc), so the person is really out.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { Bus } from "../services/bus.ts";
import { NodeRpc, NodeUnreachable } from "../services/nodeRpc.ts";
import type { RealtimeNodeCommands } from "./commands.ts";
import { meetingKeys } from "./keys.ts";

export interface LivePlacement {
  /** the realtime node that owns the meeting's media; null when no node holds it (nobody is in it any more) */
  node: string | null;
  /** P2P while the media runs on the mesh (and for its short wind-down after a switch), else SFU */
  mode: "P2P" | "SFU";
}

/** Owner node and mode of each meeting, from the keys the owners keep in Redis (one round trip). */
export async function livePlacements(redis: Redis, meetingIds: string[]): Promise<Map<string, LivePlacement>> {
  const placements = new Map<string, LivePlacement>();
  if (meetingIds.length === 0) return placements;
  const pipeline = redis.pipeline();
  for (const id of meetingIds) pipeline.get(meetingKeys.owner(id)).exists(meetingKeys.mesh(id));
  const answers = (await pipeline.exec()) ?? [];
  meetingIds.forEach((id, i) => {
    const [ownerError, owner] = answers[2 * i] ?? [];
    const [meshError, mesh] = answers[2 * i + 1] ?? [];
    if (ownerError || meshError) throw ownerError ?? meshError;
    placements.set(id, { node: typeof owner === "string" ? owner : null, mode: mesh === 1 ? "P2P" : "SFU" });
  });
  return placements;
}

// One caller per web process: its own reply channel on the bus (a subscriber connection), made on first use.
let ownerCaller: Promise<NodeRpc<RealtimeNodeCommands>> | null = null;

function callerOnBus(redis: Redis): Promise<NodeRpc<RealtimeNodeCommands>> {
  ownerCaller ??= (async () => {
    const rpc = new NodeRpc<RealtimeNodeCommands>(new Bus(env.REDIS, redis), `web-${randomUUID()}`);
    await rpc.listen();
    return rpc;
  })().catch((error: unknown) => {
    ownerCaller = null;
    throw error;
  });
  return ownerCaller;
}

/**
 * Has the meeting's owner node take `userId` out (every tab, told "removed", remembered so they cannot rejoin).
 * False when no node holds the meeting or the person is no longer in it (the removal stays remembered anyway
 * when the caller wrote it first).
 */
export async function removeFromLiveMeeting(redis: Redis, meetingId: string, userId: string, removedById: string): Promise<boolean> {
  const owner = await redis.get(meetingKeys.owner(meetingId));
  if (!owner) return false;
  try {
    await (await callerOnBus(redis)).call(owner, "removeUser", [meetingId, userId, removedById]);
    return true;
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") return false;
    if (error instanceof NodeUnreachable)
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: "The meeting's realtime node did not answer. The person is removed and cannot rejoin; try again to take them out now.",
      });
    throw error;
  }
}

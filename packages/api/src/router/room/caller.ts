import type { Caller } from "../../meeting/participants.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";

/** This node's meeting service and who is calling: the user on this socket, and from where. */
export function meetingCaller(ctx: Context & { user: SessionUser }) {
  const rt = realtimeServices(ctx);
  const caller: Caller = { user: ctx.user, connection: { connectionId: rt.connectionId, nodeId: rt.nodeId }, ip: ctx.ip };
  return { meetings: rt.meetings, caller };
}

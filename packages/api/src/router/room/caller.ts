import type { MeetingService } from "../../meeting/meetingService.ts";
import type { Caller } from "../../meeting/participants.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";

type Ctx = Context & { user: SessionUser };

/** This node's meeting service and who is calling: the user on this socket, and from where. */
export function meetingCaller(ctx: Ctx) {
  const rt = realtimeServices(ctx);
  const caller: Caller = { user: ctx.user, connection: { connectionId: rt.connectionId, nodeId: rt.nodeId }, ip: ctx.ip };
  return { meetings: rt.meetings, caller };
}

/** A procedure that runs one meeting command for the caller and answers what it answers. */
export const meetingCall =
  <I, R>(run: (meetings: MeetingService, caller: Caller, input: I) => Promise<R>) =>
  ({ ctx, input }: { ctx: Ctx; input: I }): Promise<R> => {
    const { meetings, caller } = meetingCaller(ctx);
    return run(meetings, caller, input);
  };

/** A procedure that runs one meeting command for the caller and answers `{ ok: true }`. */
export const meetingCommand = <I>(run: (meetings: MeetingService, caller: Caller, input: I) => Promise<unknown>) =>
  meetingCall(async (meetings, caller, input: I) => {
    await run(meetings, caller, input);
    return { ok: true } as const;
  });

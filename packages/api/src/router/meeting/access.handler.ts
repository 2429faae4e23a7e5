// The host's admission decisions over HTTP (before the meeting or during it): lock and lobby, letting someone in
// from the lobby or turning them away, and letting a removed person back. Each is in the audit log.
import { TRPCError } from "@trpc/server";
import { decide } from "../../meeting/lobby.ts";
import { setMeetingAccess } from "../../meeting/meetingAccess.ts";
import { allowBack } from "../../meeting/removal.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { MeetingPersonInput, SetAccessInput } from "./access.schema.ts";

type Ctx = Context & { user: SessionUser };

/** The meeting with this code, when the caller hosts it and it has not ended. */
async function hostedMeeting(ctx: Ctx, code: string): Promise<{ id: string }> {
  const meeting = await ctx.db.meeting.findUnique({ where: { code }, select: { id: true, hostId: true, status: true } });
  if (!meeting) throw new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${code}.` });
  if (meeting.hostId !== ctx.user.id) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can do this." });
  if (meeting.status === "ENDED") throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting has ended." });
  return meeting;
}

const audit = (ctx: Ctx, action: string, meetingId: string, userId: string) =>
  ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action, targetType: "user", targetId: userId, data: { meetingId }, ip: ctx.ip } });

export async function setAccessHandler({ ctx, input }: { ctx: Ctx; input: SetAccessInput }) {
  const meeting = await hostedMeeting(ctx, input.code);
  return setMeetingAccess(ctx, { meetingId: meeting.id, actorId: ctx.user.id, ip: ctx.ip, locked: input.locked, lobbyEnabled: input.lobbyEnabled });
}

const decision = (verdict: "admitted" | "denied") =>
  async function decideHandler({ ctx, input }: { ctx: Ctx; input: MeetingPersonInput }): Promise<{ ok: true }> {
    const meeting = await hostedMeeting(ctx, input.code);
    const entry = await decide(ctx.redis, meeting.id, input.userId, verdict);
    if (!entry) throw new TRPCError({ code: "NOT_FOUND", message: "This person is no longer waiting to join." });
    await audit(ctx, verdict === "admitted" ? "meeting.lobbyAdmit" : "meeting.lobbyDeny", meeting.id, input.userId);
    return { ok: true };
  };

export const admitHandler = decision("admitted");
export const denyHandler = decision("denied");

export async function allowBackHandler({ ctx, input }: { ctx: Ctx; input: MeetingPersonInput }): Promise<{ ok: true }> {
  const meeting = await hostedMeeting(ctx, input.code);
  if (!(await allowBack(ctx, meeting.id, input.userId))) throw new TRPCError({ code: "NOT_FOUND", message: "This person was not removed from the meeting." });
  await audit(ctx, "meeting.allowBack", meeting.id, input.userId);
  return { ok: true };
}

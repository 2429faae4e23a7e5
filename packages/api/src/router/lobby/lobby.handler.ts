import { TRPCError } from "@trpc/server";
import { knock, watchLobby } from "../../meeting/lobby.ts";
import { meetingByCode } from "../../meeting/meetingRecords.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";
import type { KnockInput, WatchLobbyInput } from "./lobby.schema.ts";

type Ctx = Context & { user: SessionUser };

const noSuchMeeting = (code: string) => new TRPCError({ code: "NOT_FOUND", message: `There is no meeting with the code ${code}.` });

/** Asking to join: "admitted" at once when no lobby applies, else "waiting" until the host decides. */
export async function* knockHandler({ ctx, input, signal }: { ctx: Ctx; input: KnockInput; signal: AbortSignal | undefined }) {
  const rt = realtimeServices(ctx);
  const meeting = await meetingByCode(ctx.db, ctx.redis, input.code);
  if (!meeting) throw noSuchMeeting(input.code);
  if (meeting.status === "ENDED") throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This meeting has ended." });
  const deps = { db: ctx.db, redis: ctx.redis, bus: rt.bus, watchMeeting: rt.meetingEvents.watch.bind(rt.meetingEvents) };
  yield* knock(deps, meeting.id, { user: ctx.user, ip: ctx.ip }, signal);
}

/** The host's lobby panel: the meeting's lock and lobby, who waits, who was removed; again after every change. */
export async function* watchLobbyHandler({ ctx, input, signal }: { ctx: Ctx; input: WatchLobbyInput; signal: AbortSignal | undefined }) {
  const rt = realtimeServices(ctx);
  const meeting = await ctx.db.meeting.findUnique({ where: { code: input.code }, select: { id: true, hostId: true } });
  if (!meeting) throw noSuchMeeting(input.code);
  if (meeting.hostId !== ctx.user.id) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can see who waits to join." });
  yield* watchLobby({ db: ctx.db, redis: ctx.redis, bus: rt.bus }, meeting.id, signal);
}

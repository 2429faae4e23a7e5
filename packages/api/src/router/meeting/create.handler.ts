import { MESH_MAX_PARTICIPANTS, modeFor } from "../../meeting/topology.ts";
import { withFreshMeetingCode } from "../../meeting/meetingRecords.ts";
import { meetingView } from "../../meeting/meetingView.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { CreateMeetingInput } from "./create.schema.ts";

export async function createMeetingHandler({ ctx, input }: { ctx: Context & { user: SessionUser }; input: CreateMeetingInput }) {
  const title = input.title ?? `${ctx.user.name}'s meeting`;
  const meeting = await withFreshMeetingCode((code) =>
    ctx.db.meeting.create({
      data: {
        code,
        title,
        hostId: ctx.user.id,
        maxParticipants: input.maxParticipants,
        p2pMaxParticipants: input.p2pMaxParticipants ?? MESH_MAX_PARTICIPANTS,
        mode: modeFor(input.maxParticipants, input.p2pMaxParticipants),
        locked: input.locked,
        lobbyEnabled: input.lobbyEnabled,
      },
      include: { host: { select: { id: true, name: true } } },
    }),
  );
  return meetingView(meeting, ctx.user.id);
}

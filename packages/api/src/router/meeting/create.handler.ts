import { randomInt } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { MESH_MAX_PARTICIPANTS, modeFor } from "../../meetingMode.ts";
import { MEETING_CODE_ALPHABET } from "../../schemas.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { CreateMeetingInput } from "./create.schema.ts";
import { meetingView } from "./view.ts";

export function newMeetingCode(): string {
  let code = "";
  for (let i = 0; i < 8; i++) code += MEETING_CODE_ALPHABET[randomInt(MEETING_CODE_ALPHABET.length)];
  return code;
}

export async function createMeetingHandler({ ctx, input }: { ctx: Context & { user: SessionUser }; input: CreateMeetingInput }) {
  const title = input.title ?? `${ctx.user.name}'s meeting`;
  // 31^8 ≈ 8.5e11 codes: a collision is rare, and the unique index catches it
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const meeting = await ctx.db.meeting.create({
        data: {
          code: newMeetingCode(),
          title,
          hostId: ctx.user.id,
          maxParticipants: input.maxParticipants,
          p2pMaxParticipants: input.p2pMaxParticipants ?? MESH_MAX_PARTICIPANTS,
          mode: modeFor(input.maxParticipants, input.p2pMaxParticipants),
        },
        include: { host: { select: { id: true, name: true } } },
      });
      return meetingView(meeting, ctx.user.id);
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
  }
  throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Could not allocate a meeting code; please try again." });
}

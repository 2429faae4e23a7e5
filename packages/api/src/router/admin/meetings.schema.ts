import { z } from "zod";
import { keysetPageSchema } from "../../services/keyset.ts";
import { reasonSchema, userIdSchema } from "./users.schema.ts";

const meetingIdSchema = z.uuid("meetingId must be a meeting id (UUID)");

export const liveMeetingsSchema = keysetPageSchema;

export const endMeetingSchema = z.object({ meetingId: meetingIdSchema, reason: reasonSchema });

export const removeParticipantSchema = z.object({ meetingId: meetingIdSchema, userId: userIdSchema, reason: reasonSchema });

export type LiveMeetingsInput = z.infer<typeof liveMeetingsSchema>;
export type EndMeetingInput = z.infer<typeof endMeetingSchema>;
export type RemoveParticipantInput = z.infer<typeof removeParticipantSchema>;

import { z } from "zod";
import { meetingCode } from "../../schemas.ts";

export const setAccessSchema = z
  .object({ code: meetingCode, locked: z.boolean().optional(), lobbyEnabled: z.boolean().optional() })
  .refine((input) => input.locked !== undefined || input.lobbyEnabled !== undefined, "Say what to change: locked or lobbyEnabled.");
/** One person of a meeting: someone waiting in its lobby, or someone the host removed. */
export const meetingPersonSchema = z.object({ code: meetingCode, userId: z.string().uuid("userId must be a user id (UUID)") });

export type SetAccessInput = z.infer<typeof setAccessSchema>;
export type MeetingPersonInput = z.infer<typeof meetingPersonSchema>;

import { z } from "zod";
import { meetingTitle } from "../../schemas.ts";

export const MAX_PARTICIPANTS_LIMIT = 500;

export const createMeetingSchema = z
  .object({
    title: meetingTitle.optional(),
    maxParticipants: z
      .number({ error: "The participant limit must be a number." })
      .int("The participant limit must be a whole number.")
      .min(2, "A meeting needs room for at least 2 people.")
      .max(MAX_PARTICIPANTS_LIMIT, `A meeting holds at most ${MAX_PARTICIPANTS_LIMIT} people.`)
      .default(50),
    p2pMaxParticipants: z
      .number()
      .int("The P2P limit must be a whole number.")
      .min(0, "The P2P limit cannot be negative.")
      .max(8, "A P2P mesh carries at most 8 people.")
      .optional(),
    /** nobody new joins until the host unlocks it */
    locked: z.boolean().default(false),
    /** newcomers wait until the host lets them in */
    lobbyEnabled: z.boolean().default(false),
  })
  .default({ maxParticipants: 50, locked: false, lobbyEnabled: false });
export type CreateMeetingInput = z.infer<typeof createMeetingSchema>;

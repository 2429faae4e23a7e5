// Inputs of random chat on the realtime socket (random.*).
import { z } from "zod";
import { matchId, randomDeviceId as deviceId, storableText } from "../../schemas.ts";
import { REACTIONS } from "../../random/events.ts";
import { preferencesSchema } from "../../random/preferences.ts";
import { signalSchema as meetingSignalSchema } from "../room/room.schema.ts";

/** moderation's proof-of-work solution, when a Start or Next answered "challengeRequired" */
const challengeSolution = z.string().min(1).max(4000).optional();

export const matchRef = z.object({ matchId });
export const startSchema = z.object({ deviceId, preferences: preferencesSchema, challengeSolution });
/** `matchId`: the match the page skips; a press that arrives after that match already changed is refused */
export const nextSchema = z.object({ matchId: matchId.optional(), challengeSolution }).default({});
/** the same offer, answer and ICE candidate shapes (and SDP size limit) as a meeting's P2P signals */
export const signalSchema = z.object({ matchId, signal: meetingSignalSchema.shape.signal });
export const sendSchema = z.object({
  matchId,
  text: z
    .string()
    .trim()
    .min(1, "Write a message first.")
    .max(1000, "Messages are at most 1000 characters.")
    .refine(...storableText("Messages")),
});
export const reactSchema = z.object({ matchId, emoji: z.enum(REACTIONS, { error: `emoji: one of ${REACTIONS.join(" ")}` }) });

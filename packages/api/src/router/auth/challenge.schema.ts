import { z } from "zod";

/** What a proof-of-work challenge is for: a sign-in to one account, or a registration. */
export const challengeSchema = z.discriminatedUnion("purpose", [
  z.object({ purpose: z.literal("signin"), email: z.string().trim().toLowerCase().min(1).max(254) }),
  z.object({ purpose: z.literal("register") }),
]);
export type ChallengeInput = z.infer<typeof challengeSchema>;

// Stand-in for moderation's RandomSafety until moderation/ is merged (the lead replaces this file then): everyone
// may start, nobody must be avoided beyond the pairs RandomMatches.avoidPair records.
import type { RandomSafety } from "./contract.ts";

export const allowAllSafety: RandomSafety = {
  checkStart: async () => ({ kind: "allowed" }),
  neverMatch: async () => ({ userIds: [], deviceIds: [] }),
};

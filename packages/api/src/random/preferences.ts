// What a person asks of a partner, and how that widens while they wait. This module decides what a person accepts
// at each stage; the matching script (matchScripts.ts) only compares: a pair matches when each accepts the other.
//   stage 0 (from Start):           same region, same language, and a shared interest when either named any
//   stage 1 (after RANDOM_WIDEN_MS): interests no longer required
//   stage 2 (after twice that):     any region and any language
// Text-only is never widened: a text-only person is matched only with another.
import { z } from "zod";

export const REGIONS = ["europe", "north-america", "south-america", "asia", "africa", "oceania"] as const;
export type Region = (typeof REGIONS)[number];

export const MAX_INTERESTS = 5;

const interest = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]{0,30}$/u, "An interest is 1-31 letters, digits, spaces or hyphens.");

export const preferencesSchema = z.object({
  region: z.enum(REGIONS, { error: `region: one of ${REGIONS.join(", ")}` }),
  /** ISO 639-1, e.g. "en" */
  language: z.string().regex(/^[a-z]{2}$/, "language: a two-letter code such as en"),
  interests: z
    .array(interest)
    .max(MAX_INTERESTS, `At most ${MAX_INTERESTS} interests.`)
    .default([])
    .transform((tags) => [...new Set(tags)].sort()),
  textOnly: z.boolean().default(false),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export type WidenStage = 0 | 1 | 2;

/** What a person accepts at a stage: "*" is anything. */
export interface Criteria {
  region: Region | "*";
  language: string | "*";
  interests: "shared" | "*";
}

/** The stage a person searching for `waitedMs` has reached. */
export function widenStage(waitedMs: number, widenMs: number): WidenStage {
  if (waitedMs >= 2 * widenMs) return 2;
  if (waitedMs >= widenMs) return 1;
  return 0;
}

/** When (ms after Start) the person reaches `stage`. */
export const stageStartsAt = (stage: 1 | 2, widenMs: number) => stage * widenMs;

export function criteria(preferences: Preferences, stage: WidenStage): Criteria {
  return {
    region: stage >= 2 ? "*" : preferences.region,
    language: stage >= 2 ? "*" : preferences.language,
    interests: stage === 0 && preferences.interests.length > 0 ? "shared" : "*",
  };
}

/** What the "widened" event tells the person. */
export const widenedTo = (stage: 1 | 2): string => (stage === 1 ? "people with other interests" : "people in any region and language");

/** Interests are stored comma-separated (the schema allows no comma in one). */
export const joinInterests = (tags: readonly string[]) => tags.join(",");
export const splitInterests = (joined: string | null | undefined): string[] => (joined ? joined.split(",") : []);

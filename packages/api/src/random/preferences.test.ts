import { describe, expect, test } from "vitest";
import { criteria, preferencesSchema, stageStartsAt, widenStage } from "./preferences.ts";

const WIDEN = 5000;

describe("preferences as people send them", () => {
  test("interests are trimmed, lower-cased, de-duplicated and sorted; text-only and interests are optional", () => {
    const parsed = preferencesSchema.parse({ region: "europe", language: "de", interests: [" Chess", "music", "chess "] });
    expect(parsed).toEqual({ region: "europe", language: "de", interests: ["chess", "music"], textOnly: false });
  });

  test("more than 5 interests, a comma in one (the stored separator), an unknown region or a long language are refused", () => {
    const base = { region: "asia", language: "ja" };
    expect(preferencesSchema.safeParse({ ...base, interests: ["a", "b", "c", "d", "e", "f"] }).error?.issues[0]?.message).toBe("At most 5 interests.");
    expect(preferencesSchema.safeParse({ ...base, interests: ["rock,pop"] }).success).toBe(false);
    expect(preferencesSchema.safeParse({ ...base, region: "mars" }).success).toBe(false);
    expect(preferencesSchema.safeParse({ ...base, language: "english" }).success).toBe(false);
  });
});

describe("widening while searching", () => {
  const prefs = preferencesSchema.parse({ region: "south-america", language: "pt", interests: ["football"] });

  test("at first: the person's region and language, and a shared interest since they named one", () => {
    expect(widenStage(0, WIDEN)).toBe(0);
    expect(widenStage(WIDEN - 1, WIDEN)).toBe(0);
    expect(criteria(prefs, 0)).toEqual({ region: "south-america", language: "pt", interests: "shared" });
  });

  test("someone who named no interest accepts any from the start", () => {
    expect(criteria(preferencesSchema.parse({ region: "africa", language: "sw" }), 0)).toEqual({ region: "africa", language: "sw", interests: "*" });
  });

  test("after the widening time interests no longer count; after twice that, neither region nor language", () => {
    expect(widenStage(stageStartsAt(1, WIDEN), WIDEN)).toBe(1);
    expect(criteria(prefs, 1)).toEqual({ region: "south-america", language: "pt", interests: "*" });
    expect(widenStage(stageStartsAt(2, WIDEN) - 1, WIDEN)).toBe(1);
    expect(widenStage(stageStartsAt(2, WIDEN), WIDEN)).toBe(2);
    expect(widenStage(60 * WIDEN, WIDEN)).toBe(2);
    expect(criteria(prefs, 2)).toEqual({ region: "*", language: "*", interests: "*" });
  });
});

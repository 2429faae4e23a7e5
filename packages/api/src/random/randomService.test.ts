// Moderation's verdicts as the person pressing Start or Next meets them (RandomSafety faked; Redis faked at its
// boundary: a person not started yet, and a record of every script run).
import type { Redis } from "ioredis";
import { describe, expect, test } from "vitest";
import type { RandomSafety, StartVerdict } from "./contract.ts";
import { RandomService } from "./randomService.ts";

function fakeRedis(stored: Record<string, string> = {}) {
  const scripts: string[] = [];
  const redis = {
    hmget: async (_key: string, ...fields: string[]) => fields.map((f) => stored[f] ?? null),
    defineCommand(name: string) {
      (redis as Record<string, unknown>)[name] = async () => {
        scripts.push(name);
        return name === "randomLeave" ? "matched" : ["searching"];
      };
    },
  };
  return { redis: redis as unknown as Redis, scripts };
}

const caller = { userId: "u1", name: "Ann", ip: "203.0.113.9", connectionId: "c1" };
const preferences = { region: "europe" as const, language: "en", interests: [], textOnly: false };
const safety = (verdict: StartVerdict): RandomSafety & { asked: unknown[] } => {
  const asked: unknown[] = [];
  return {
    asked,
    checkStart: async (person, action, solution) => (asked.push({ person, action, solution }), verdict),
    neverMatch: async () => ({ userIds: [], deviceIds: [] }),
  };
};

describe("Start and Next meet moderation's verdicts", () => {
  test("a ban comes back as the notice (reason, until) and nothing is queued", async () => {
    const { redis, scripts } = fakeRedis();
    const ban = { banId: "b1", kind: "device" as const, reason: "harassment", until: Date.UTC(2030, 0, 2, 3, 4), appealPending: false };
    const service = new RandomService({ redis, nodeId: "n1", safety: safety({ kind: "banned", ban }), widenMs: 5000 });
    expect(await service.begin(caller, { deviceId: "device-0000000001", preferences })).toEqual({
      status: "banned",
      ban,
      message: "You are banned from random chat until 2030-01-02 03:04 UTC. Reason: harassment",
    });
    expect(scripts).toEqual([]);
  });

  test("a challenge and a hold are said plainly; the solution the page sends is passed on", async () => {
    const { redis, scripts } = fakeRedis();
    const challenged = safety({ kind: "challenge" });
    const service = new RandomService({ redis, nodeId: "n1", safety: challenged, widenMs: 5000 });
    expect(await service.begin(caller, { deviceId: "device-0000000001", preferences, challengeSolution: "s0lved" })).toMatchObject({
      status: "challengeRequired",
      message: expect.stringMatching(/^Challenge required/),
    });
    expect(challenged.asked).toEqual([{ person: { userId: "u1", deviceId: "device-0000000001", ip: "203.0.113.9" }, action: "start", solution: "s0lved" }]);
    const held = new RandomService({ redis, nodeId: "n1", safety: safety({ kind: "held" }), widenMs: 5000 });
    expect(await held.begin(caller, { deviceId: "device-0000000001", preferences })).toMatchObject({ status: "held", message: expect.stringMatching(/moderator/) });
    expect(scripts).toEqual([]);
  });

  test("too many presses is TOO_MANY_REQUESTS with the wait", async () => {
    const { redis } = fakeRedis();
    const service = new RandomService({ redis, nodeId: "n1", safety: safety({ kind: "rateLimited", retryAfterMs: 4000 }), widenMs: 5000 });
    await expect(service.begin(caller, { deviceId: "device-0000000001", preferences })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Too many Start and Next presses. Try again in 4 seconds.",
    });
  });

  test("Next refused still ends the call the person wanted out of, and is asked as 'next' for their device", async () => {
    const { redis, scripts } = fakeRedis({ state: "matched", device: "device-0000000002", match: "m1", region: "europe", lang: "en", tags: "", text: "0" });
    const challenged = safety({ kind: "challenge" });
    const service = new RandomService({ redis, nodeId: "n1", safety: challenged, widenMs: 5000 });
    expect(await service.next(caller, {})).toMatchObject({ status: "challengeRequired" });
    expect(challenged.asked).toMatchObject([{ person: { deviceId: "device-0000000002" }, action: "next" }]);
    expect(scripts).toEqual(["randomLeave"]);
  });
});

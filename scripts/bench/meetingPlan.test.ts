import { describe, expect, it } from "vitest";
import { audioIntervalMs, participantsPerCore, streamLoss, visibleTiles } from "./meetingPlan.ts";

describe("visibleTiles", () => {
  it("shows the 9 next participants round-robin, never oneself", () => {
    expect(visibleTiles(0, 50, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(visibleTiles(45, 50, 9)).toEqual([46, 47, 48, 49, 0, 1, 2, 3, 4]);
  });

  it("shows everyone else when the meeting fits on one page", () => {
    expect(visibleTiles(2, 5, 9)).toEqual([3, 4, 0, 1]);
    expect(visibleTiles(0, 1, 9)).toEqual([]);
  });

  it("has every participant shown by exactly as many others as it shows", () => {
    const shownBy = new Array<number>(50).fill(0);
    for (let i = 0; i < 50; i++) for (const j of visibleTiles(i, 50, 9)) shownBy[j]!++;
    expect(new Set(shownBy)).toEqual(new Set([9]));
  });
});

describe("participantsPerCore", () => {
  it("divides the participants by the SFU's cores used", () => {
    expect(participantsPerCore(50, 25)).toBe(200);
    expect(participantsPerCore(10, 100)).toBe(10);
  });

  it("is unknown without a CPU measurement", () => {
    expect(participantsPerCore(50, 0)).toBeNull();
  });
});

describe("streamLoss", () => {
  it("counts the loss between two snapshots, overall and of the worst stream", () => {
    // two streams: the first lost 1 of 100 in the window, the second 5 of 50
    const before = [100, 100, 10, 10];
    const after = [200, 199, 60, 55];
    const loss = streamLoss(before, after);
    expect(loss.lossPct).toBeCloseTo((6 / 150) * 100);
    expect(loss.worstStreamLossPct).toBeCloseTo(10);
  });

  it("reports no loss when nothing was expected", () => {
    expect(streamLoss([5, 5], [5, 5])).toEqual({ lossPct: 0, worstStreamLossPct: 0 });
  });
});

describe("audioIntervalMs", () => {
  it("sends 50 packets/s while talking and one DTX frame per 400 ms in silence", () => {
    expect(1000 / audioIntervalMs(true)).toBe(50);
    expect(1000 / audioIntervalMs(false)).toBe(2.5);
  });
});

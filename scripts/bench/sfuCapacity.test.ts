import { describe, expect, it } from "vitest";
import { capacity, median, nextLoad, ppsPerCore, ratioVsPeer, unavailable, type SearchOptions, type StepResult } from "./sfuCapacity.ts";

const options: SearchOptions = { start: 50, growth: 2, maxLossPct: 0.5, min: 10, max: 800, resolution: 0.1 };

/** Runs the search against a system that loses packets from `limit` subscribers on. */
function search(limit: number): StepResult[] {
  const history: StepResult[] = [];
  for (let load = nextLoad(history, options); load !== null; load = nextLoad(history, options)) {
    expect(history.some((s) => s.load === load)).toBe(false);
    history.push({ load, lossPct: load >= limit ? 3 : 0.1 });
  }
  return history;
}

describe("capacity search", () => {
  it("grows from the start while steps pass, then narrows between the last pass and the first failure", () => {
    const history = search(300);
    expect(history.slice(0, 4).map((s) => s.load)).toEqual([50, 100, 200, 400]);
    const found = capacity(history, options)!;
    expect(found.load).toBeLessThan(300);
    expect(found.load).toBeGreaterThanOrEqual(300 * 0.9 - 1);
  });

  it("shrinks from the start when the first step already loses packets", () => {
    const history = search(30);
    expect(history.slice(0, 3).map((s) => s.load)).toEqual([50, 25, 38]);
    expect(capacity(history, options)!.load).toBeLessThan(30);
    expect(capacity(history, options)!.load).toBeGreaterThanOrEqual(26);
  });

  it("stops at the ceiling when every load passes, and at the floor when none does", () => {
    expect(capacity(search(10_000), options)!.load).toBe(800);
    const none = search(1);
    expect(none.at(-1)!.load).toBe(10);
    expect(capacity(none, options)).toBeNull();
  });

  it("counts a step at exactly the loss limit as a failure", () => {
    expect(nextLoad([{ load: 50, lossPct: 0.5 }], options)).toBe(25);
    expect(nextLoad([{ load: 50, lossPct: 0.49 }], options)).toBe(100);
  });
});

describe("ratio against the peer SFU", () => {
  it("compares packets per second per 100% of a core, ours over the peer's", () => {
    const ours = ppsPerCore(50_000, 50)!; // 100k pps per core
    const janus = ppsPerCore(40_000, 100)!;
    expect(ours).toBe(100_000);
    expect(ratioVsPeer(ours, janus)).toBe(2.5);
  });

  it("has no ratio when a side measured no CPU or is missing", () => {
    expect(ppsPerCore(1000, 0)).toBeNull();
    expect(ratioVsPeer(100, null)).toBeNull();
    expect(ratioVsPeer(null, 100)).toBeNull();
  });

  it("takes the median of interleaved runs", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe("unavailable peer system", () => {
  it("reports the exact reason the peer could not be installed instead of a number", () => {
    const entry = unavailable("janus", new Error("janus is missing. Install it with `sudo apt-get install -y janus` (Debian/Ubuntu)."));
    expect(entry).toEqual({ system: "janus", reason: "janus is missing. Install it with `sudo apt-get install -y janus` (Debian/Ubuntu)." });
    expect(unavailable("janus", "").reason).toBe("unknown error");
  });
});

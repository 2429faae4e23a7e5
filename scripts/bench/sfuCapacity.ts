// The pure parts of bench:sfu: the step-by-step search for the highest load forwarded under a loss limit,
// packets per second per core and the ratio against a peer SFU, medians of repeated runs, and the
// benchmark JSON contract's `machine` and `unavailable` entries.
import os from "node:os";

/** One measured step: `load` is the number of subscribers (consumer peers) of the step. */
export interface StepResult {
  load: number;
  lossPct: number;
}

export interface SearchOptions {
  /** First load tried. */
  start: number;
  /** Factor between loads while every step passes (> 1). */
  growth: number;
  /** A step passes when its loss is strictly below this (percent). */
  maxLossPct: number;
  /** Highest load ever tried. */
  max: number;
  /** Lowest load ever tried. */
  min: number;
  /** The search stops when the passing and failing loads are closer than this fraction of the passing one. */
  resolution: number;
}

export const passes = (step: StepResult, options: Pick<SearchOptions, "maxLossPct">): boolean => step.lossPct < options.maxLossPct;

/**
 * The next load to measure given the steps measured so far, or null when the capacity is known:
 * grow by `growth` while steps pass, shrink by it while none has passed, then halve the interval between
 * the highest passing and the lowest failing load until it is narrower than `resolution`.
 */
export function nextLoad(history: readonly StepResult[], options: SearchOptions): number | null {
  if (history.length === 0) return clamp(options.start, options);
  const passed = history.filter((s) => passes(s, options)).map((s) => s.load);
  const highestPass = passed.length > 0 ? Math.max(...passed) : null;
  const fails = history.filter((s) => !passes(s, options) && (highestPass === null || s.load > highestPass)).map((s) => s.load);
  const lowestFail = fails.length > 0 ? Math.min(...fails) : null;
  if (lowestFail === null) {
    // every step passed: grow, unless the ceiling is reached
    if (highestPass! >= options.max) return null;
    return clamp(Math.ceil(highestPass! * options.growth), options);
  }
  if (highestPass === null) {
    if (lowestFail <= options.min) return null;
    return clamp(Math.floor(lowestFail / options.growth), options);
  }
  if (lowestFail - highestPass <= Math.max(1, highestPass * options.resolution)) return null;
  return Math.round((highestPass + lowestFail) / 2);
}

function clamp(load: number, options: Pick<SearchOptions, "min" | "max">): number {
  return Math.min(options.max, Math.max(options.min, load));
}

/** The highest passing step (null when none passed). */
export function capacity<T extends StepResult>(history: readonly T[], options: Pick<SearchOptions, "maxLossPct">): T | null {
  return history.filter((s) => passes(s, options)).reduce<T | null>((best, s) => (best === null || s.load > best.load ? s : best), null);
}

/** Packets per second forwarded per 100% of one core of the SFU's CPU (null when no CPU was measured). */
export function ppsPerCore(pps: number, cpuPct: number): number | null {
  return cpuPct > 0 ? pps / (cpuPct / 100) : null;
}

/** Ours over the peer's packets/s per core: above 1 means we forward more per core (null when either is unknown). */
export function ratioVsPeer(oursPerCore: number | null, peerPerCore: number | null): number | null {
  if (oursPerCore === null || peerPerCore === null || peerPerCore <= 0) return null;
  return oursPerCore / peerPerCore;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Unavailable {
  system: string;
  reason: string;
}

/** A peer system that could not be installed or started, with the exact reason (never a number instead). */
export function unavailable(system: string, error: unknown): Unavailable {
  const reason = error instanceof Error ? error.message : String(error);
  return { system, reason: reason.trim() || "unknown error" };
}

export interface Machine {
  cpus: number;
  model: string;
  memGb: number;
  kernel: string;
}

export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? "unknown",
    memGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: os.release(),
  };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

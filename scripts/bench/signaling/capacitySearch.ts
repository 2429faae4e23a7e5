import { BASE_INTERVAL, MAX_STEPS, MIN_RATIO, P99_MS, REFINE, round } from "./options.ts";
import type { StepResult } from "./step.ts";

/**
 * The capacity search of one system: halve the per-client interval until a step fails (or, when phase 1
 * failed, double it until one holds), then bisect geometrically between the fastest interval that held
 * (`lo`) and the slowest that failed (`hi`) for REFINE more steps.
 */
export class CapacitySearch {
  lo: number | null;
  hi: number | null = null;
  steps: StepResult[] = [];
  stoppedBy = "";
  private ladder: number;
  private ladderSteps = 0;
  private refineLeft = REFINE;
  private done = false;

  constructor(phase1Held: boolean) {
    this.lo = phase1Held ? BASE_INTERVAL : null;
    this.ladder = phase1Held ? BASE_INTERVAL / 2 : BASE_INTERVAL * 2;
  }

  /** The next interval to try, or null when the search is over. */
  next(): number | null {
    if (this.done) return null;
    if (this.lo !== null && this.hi !== null) {
      if (this.refineLeft > 0) return Math.sqrt(this.lo * this.hi);
      this.stoppedBy ||= `p99 > ${P99_MS} ms or delivery < ${MIN_RATIO * 100}% at ${round(this.hi, 2)} ms per client`;
      this.done = true;
      return null;
    }
    if (this.ladderSteps >= MAX_STEPS) {
      this.stoppedBy = `--max-steps ${MAX_STEPS} reached`;
      this.done = true;
      return null;
    }
    return this.ladder;
  }

  record(interval: number, result: StepResult): void {
    this.steps.push(result);
    if (this.lo !== null && this.hi !== null) {
      this.refineLeft--;
      if (result.held) this.lo = interval;
      else this.hi = interval;
      return;
    }
    this.ladderSteps++;
    if (result.held) {
      this.lo = interval;
      if (this.hi === null && result.sends_per_s < 0.9 * result.target_sends_per_s) {
        this.stoppedBy = `the load generator reached only ${result.sends_per_s} of ${result.target_sends_per_s} sends/s`;
        this.done = true;
      }
      this.ladder = interval / 2;
    } else {
      this.hi = interval;
      if (this.lo === null && interval >= BASE_INTERVAL * 8) {
        this.stoppedBy = "no rate held";
        this.done = true;
      }
      this.ladder = interval * 2; // only used while nothing held yet: look for a slower rate that does
    }
  }
}

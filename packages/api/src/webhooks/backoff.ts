// When a failed delivery is tried again: base x 2^(attempts-1), +-20% jitter (endpoints that failed together do not
// all come back at the same instant), capped, and never past the give-up time (WEBHOOK_RETRY_FOR_MS after the event).
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** how long after the event attempts may go on */
  retryForMs: number;
}

export const JITTER = 0.2;

/** The pause after the `attempts`-th failed attempt (1 for the first). `random` in [0, 1). */
export function retryDelay(attempts: number, policy: Pick<BackoffPolicy, "baseMs" | "maxMs">, random: () => number = Math.random): number {
  // 2^30 and more would only overflow towards the cap
  const exponential = policy.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  const jittered = exponential * (1 - JITTER + 2 * JITTER * random());
  return Math.round(Math.min(jittered, policy.maxMs));
}

/** When to try again after a failed attempt, or null: the delivery is given up. */
export function nextAttemptAt(attempts: number, createdAtMs: number, nowMs: number, policy: BackoffPolicy, random?: () => number): number | null {
  const at = nowMs + retryDelay(attempts, policy, random);
  return at > createdAtMs + policy.retryForMs ? null : at;
}

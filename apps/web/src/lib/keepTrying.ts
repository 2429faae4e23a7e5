// Loads that a page cannot do without (a conversation list, a history) are tried again by themselves after a
// failure, with growing pauses, until they succeed, fail for good (not found, forbidden) or are cancelled.
import { isPermanentError } from "./chat/api";
import { errorMessage } from "./trpc";

const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 10_000;

export interface KeepTryingHandlers {
  /** a try failed and another follows in `retryInMs`; `message` is in plain words */
  onRetry(message: string, retryInMs: number): void;
  /** a try succeeded (after failures or not) */
  onSuccess(): void;
  /** a refusal no retry can change */
  onPermanent(error: unknown): void;
}

/** The pause before try number `failures + 1`: 1 s, 2 s, 4 s, ... up to 10 s. */
export const retryPauseMs = (failures: number): number => Math.min(FIRST_PAUSE_MS * 2 ** Math.max(failures - 1, 0), MAX_PAUSE_MS);

/** Runs `load` until it succeeds; returns the function that stops trying. */
export function keepTrying(load: () => Promise<unknown>, handlers: KeepTryingHandlers): () => void {
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  const attempt = () => {
    load().then(
      () => {
        if (!cancelled) handlers.onSuccess();
      },
      (error: unknown) => {
        if (cancelled) return;
        if (isPermanentError(error)) return handlers.onPermanent(error);
        const pause = retryPauseMs(++failures);
        handlers.onRetry(errorMessage(error), pause);
        timer = setTimeout(attempt, pause);
      },
    );
  };
  attempt();
  return () => {
    cancelled = true;
    if (timer) clearTimeout(timer);
  };
}

/** "… Trying again in 4 s." for a failed load's message. */
export const retryText = (what: string, message: string, retryInMs: number) => `${what}: ${message} Trying again in ${Math.round(retryInMs / 1000)} s.`;

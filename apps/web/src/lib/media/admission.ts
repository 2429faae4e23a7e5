// Asking to join a meeting before joining it (`lobby.knock` on the realtime socket): let in at once when no lobby
// applies, or after the host's decision. The socket's reconnects ask again by themselves (the subscription is
// resent); one request per tab at a time.
import type { KnockState } from "@qualmeet/api";
import { getRealtimeClient } from "@/lib/realtime";

/** Why the page does not go in: the host said no, the meeting ended, the person was removed, the meeting is locked. */
export class NotLetIn extends Error {
  constructor(
    readonly reason: Exclude<KnockState["state"], "admitted" | "waiting">,
    message: string,
  ) {
    super(message);
  }
}

class StoppedAsking extends Error {}

let current: { stop(): void } | null = null;

/**
 * Resolves once the person may join (`onWaiting` is called when they wait for the host first); rejects with
 * NotLetIn when they may not, or with the server's refusal (too many waiting, too many requests).
 */
export function askToJoin(realtimeUrl: string, code: string, onWaiting: () => void): Promise<void> {
  stopAsking();
  return new Promise<void>((resolve, reject) => {
    const subscription = getRealtimeClient(realtimeUrl).lobby.knock.subscribe(
      { code },
      {
        onData: (state) => {
          if (state.state === "waiting") {
            onWaiting();
            return;
          }
          stop();
          if (state.state === "admitted") resolve();
          else reject(new NotLetIn(state.state, state.message));
        },
        onError: (error) => {
          stop();
          reject(error);
        },
      },
    );
    const stop = () => {
      subscription.unsubscribe();
      if (current === asking) current = null;
    };
    const asking = {
      stop: () => {
        stop();
        reject(new StoppedAsking("Stopped asking to join."));
      },
    };
    current = asking;
  });
}

/** The person stopped waiting (left the page or pressed Leave): the host no longer sees them. */
export function stopAsking(): void {
  current?.stop();
}

export const stoppedAsking = (error: unknown): boolean => error instanceof StoppedAsking;

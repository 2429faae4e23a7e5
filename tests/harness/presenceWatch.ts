// A presence.online subscription as a test watches it: every list it was sent (user ids), the error it ended
// with, and a wait until the newest list satisfies a condition.
import { expect } from "vitest";
import type { OnlineUser } from "@qualmeet/api";
import type { RealtimeConnection } from "./clients.ts";

export function watchOnline(connection: RealtimeConnection, timeoutMs: number) {
  const snapshots: string[][] = [];
  let error: { data?: { code?: string } } | null = null;
  const sub = connection.client.presence.online.subscribe(undefined, {
    onData: (users: OnlineUser[]) => void snapshots.push(users.map((u) => u.id)),
    onError: (e) => void (error = e as typeof error),
  });
  return {
    snapshots,
    stop: () => sub.unsubscribe(),
    get error() {
      return error;
    },
    until: (done: (ids: string[]) => boolean) =>
      expect
        .poll(
          () => {
            const last = snapshots.at(-1);
            return last !== undefined && done(last);
          },
          { timeout: timeoutMs },
        )
        .toBe(true),
  };
}

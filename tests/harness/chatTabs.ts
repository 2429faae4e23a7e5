// A browser tab's chat, without the browser: a realtime socket with its chat.events subscription (optionally resumed
// from an event id) and everything it received, with the event ids, awaited by condition.
import { expect } from "vitest";
import type { Redis } from "ioredis";
import type { ChatEvent } from "../../packages/api/src/index.ts";
import { realtimeClient, type RealtimeConnection } from "./clients.ts";

export interface ChatTab {
  client: RealtimeConnection["client"];
  /** what arrived, in order, with its event id */
  seen: Array<{ id: string; event: ChatEvent }>;
  of<T extends ChatEvent["type"]>(type: T): Array<Extract<ChatEvent, { type: T }>>;
  /** waits until `count` events of `type` matching `where` arrived; returns them */
  until<T extends ChatEvent["type"]>(type: T, where?: (e: Extract<ChatEvent, { type: T }>) => boolean, count?: number): Promise<Array<Extract<ChatEvent, { type: T }>>>;
  close(): Promise<void>;
}

/**
 * Opens a tab of `user` on the realtime server at `wsUrl` and waits until its node listens to the user's channel
 * (`probe` counts the Redis subscribers), so nothing published after this returns is missed.
 */
export async function openChatTab(wsUrl: string, origin: string, probe: Redis, user: { id: string; cookie: string }, lastEventId: string | null = null): Promise<ChatTab> {
  const channel = `chat:user:${user.id}`;
  const before = ((await probe.pubsub("NUMSUB", channel)) as [string, number])[1];
  const connection = realtimeClient(wsUrl, { cookie: user.cookie, origin });
  const seen: ChatTab["seen"] = [];
  const subscription = connection.client.chat.events.subscribe({ lastEventId }, { onData: ({ id, data }) => void seen.push({ id, event: data }) });
  // a node subscribes once per user: a second tab on the same node adds no subscriber
  await expect.poll(async () => ((await probe.pubsub("NUMSUB", channel)) as [string, number])[1], { timeout: 15_000 }).toBeGreaterThanOrEqual(Math.max(1, before));
  const matching = <T extends ChatEvent["type"]>(type: T, where: (e: Extract<ChatEvent, { type: T }>) => boolean) =>
    seen.map((s) => s.event).filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type && where(e as Extract<ChatEvent, { type: T }>));
  return {
    client: connection.client,
    seen,
    of: (type) => matching(type, () => true),
    async until(type, where = () => true, count = 1) {
      await expect
        .poll(() => matching(type, where).length, { timeout: 20_000, message: `waiting for ${count} ${type}; saw ${seen.map((s) => s.event.type).join(", ")}` })
        .toBeGreaterThanOrEqual(count);
      return matching(type, where);
    },
    async close() {
      subscription.unsubscribe();
      await connection.close();
    },
  };
}

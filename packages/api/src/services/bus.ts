// The event bus between realtime nodes: Redis pub/sub behind a small typed interface. One subscriber
// connection per process; each channel is subscribed while at least one listener wants it.
import type { Redis } from "ioredis";
import type { RedisAddress } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { createRedis } from "./redis.ts";

type Listener = (event: unknown) => void;
type RawListener = (message: string) => void;

export class Bus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<RawListener>>();
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(redis: RedisAddress, publisher: Redis) {
    this.publisher = publisher;
    // ioredis subscribes again to every channel when it reconnects (after a failover: on the new master); events
    // published in between are missed, which is why chat and meetings also keep them in streams clients resume from
    this.subscriber = createRedis(redis, `qualmeet-bus-${process.pid}`);
    this.subscriber.on("message", (channel: string, raw: string) => {
      for (const listener of this.listeners.get(channel) ?? []) {
        try {
          listener(raw);
        } catch (err) {
          // a malformed message must not stop the others' delivery
          logger.error({ err, channel }, "bus: a listener failed on a message: that listener missed this event");
        }
      }
    });
  }

  async publish(channel: string, event: unknown): Promise<void> {
    await this.publisher.publish(channel, JSON.stringify(event));
  }

  /** Calls `listener` with each JSON event on `channel` until the returned function is called. */
  on(channel: string, listener: Listener): Promise<() => void> {
    return this.onRaw(channel, (raw) => listener(JSON.parse(raw)));
  }

  /** Calls `listener` with each message on `channel` as published, until the returned function is called. */
  async onRaw(channel: string, listener: RawListener): Promise<() => void> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.subscribed.set(channel, this.subscriber.subscribe(channel));
    }
    set.add(listener);
    // every caller waits for the SUBSCRIBE, not only the first one
    await this.subscribed.get(channel);
    return () => {
      const current = this.listeners.get(channel);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(channel);
        this.subscribed.delete(channel);
        this.subscriber
          .unsubscribe(channel)
          .catch((err: unknown) => logger.warn({ err, channel }, "bus: unsubscribing failed: this node keeps receiving the channel's messages (and drops them)"));
      }
    };
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}

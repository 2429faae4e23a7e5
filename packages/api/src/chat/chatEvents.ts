// Each user's chat events, shared by all realtime nodes:
//   chat:user:{userId}:events   Redis stream (MAXLEN ~ 1000, 7 days): ids for tracked() resumption
//   chat:user:{userId}          pub/sub channel: live fan-out of "<stream id>[@<traceparent>] <json>", or
//                               "- <json>" for ephemeral events (typing) that are never stored
// A Lua script appends one event to several users' streams and publishes it, so each channel's order is its
// stream's order. Events carry what every recipient shares (times in ms); the subscription turns them into
// ChatEvents for its user (a conversation update becomes that user's own summary, say).
import type { Redis } from "ioredis";
import { serviceMetrics } from "../metrics/serviceMetrics.ts";
import type { Bus } from "../services/bus.ts";
import { compareStreamIds } from "../services/streamIds.ts";
import { currentTraceparent, recordDelivery, splitTraced } from "../tracing/traceContext.ts";
import type { StoredMessage } from "./messages.ts";
import type { CallEndStatus, CallKind, ChatUser } from "./types.ts";

export const USER_STREAM_MAXLEN = 1000;
export const USER_STREAM_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const userStreamKey = (userId: string) => `chat:user:${userId}:events`;
export const userChannel = (userId: string) => `chat:user:${userId}`;

export interface StoredCallInfo {
  id: string;
  conversationId: string;
  kind: CallKind;
  from: ChatUser;
  meetingCode: string;
  startedAt: number;
  conversationTitle: string;
}

export type StoredChatEvent =
  | { type: "message.new" | "message.edited" | "message.deleted"; m: StoredMessage }
  | { type: "typing"; conversationId: string; user: ChatUser }
  | { type: "read"; conversationId: string; userId: string; messageId: string; readAt: number }
  | { type: "unread"; conversationId: string; unread: number }
  | { type: "conversation.updated"; conversationId: string }
  | { type: "conversation.removed"; conversationId: string }
  | { type: "presence"; userId: string; online: boolean; lastSeenAt: number | null }
  | { type: "call.ringing"; call: StoredCallInfo }
  | { type: "call.ended"; callId: string; conversationId: string; status: CallEndStatus; answeredOnOtherDevice?: boolean }
  /** ephemeral: a block between the user and someone changed; whom they may see online is read again */
  | { type: "contacts.changed" }
  /** the user was invited to a group, or answered an invitation */
  | { type: "invitations.changed" };

/**
 * Lua: append ARGV[1] (event JSON) to each stream in KEYS and publish it on the matching channel (the
 * channels follow the fixed arguments), its stream id followed by "@<trace>" when the sender is traced. Shared with the send script, which builds its event first. Returns the
 * entries written, as "<stream key> <entry id>", for scripts that may have to delete them again.
 */
export const FAN_OUT_LUA = `
local function fanOut(event, firstKey, firstChannelArg, maxlen, ttl, trace)
  local entries = {}
  local traced = ''
  if trace ~= '' then traced = '@' .. trace end
  for i = firstKey, #KEYS do
    local id = redis.call('XADD', KEYS[i], 'MAXLEN', '~', maxlen, '*', 'e', event)
    redis.call('PEXPIRE', KEYS[i], ttl)
    redis.call('PUBLISH', ARGV[firstChannelArg + i - firstKey], id .. traced .. ' ' .. event)
    entries[#entries + 1] = KEYS[i] .. ' ' .. id
  end
  return entries
end
`;

const PUBLISH_LUA = `${FAN_OUT_LUA}
fanOut(ARGV[1], 1, 5, ARGV[2], ARGV[3], ARGV[4])
return #KEYS
`;

type RedisWithFanOut = Redis & { chatFanOut(numKeys: number, ...args: string[]): Promise<number> };

function withFanOut(redis: Redis): RedisWithFanOut {
  const r = redis as RedisWithFanOut;
  if (typeof r.chatFanOut !== "function") redis.defineCommand("chatFanOut", { lua: PUBLISH_LUA });
  return r;
}

/** Stores `event` in each user's stream and delivers it live to their open subscriptions, on any node. */
export async function publishChatEvent(redis: Redis, userIds: Iterable<string>, event: StoredChatEvent): Promise<void> {
  const users = [...new Set(userIds)];
  if (users.length === 0) return;
  await withFanOut(redis).chatFanOut(
    users.length,
    ...users.map(userStreamKey),
    JSON.stringify(event),
    String(USER_STREAM_MAXLEN),
    String(USER_STREAM_TTL_MS),
    currentTraceparent(),
    ...users.map(userChannel),
  );
}

/** Delivers an ephemeral event (never stored, not resumable) to the users' open subscriptions. */
export async function publishEphemeral(redis: Redis, userIds: Iterable<string>, event: StoredChatEvent): Promise<void> {
  const message = `- ${JSON.stringify(event)}`;
  const pipeline = redis.pipeline();
  for (const userId of new Set(userIds)) pipeline.publish(userChannel(userId), message);
  await pipeline.exec();
}

export interface LoggedChatEvent {
  /** the stream id; ephemeral events carry the id of the last stored event before them */
  id: string;
  event: StoredChatEvent;
  /** read back from the stream (a resumption), not delivered live: it may be older than a change since */
  replayed?: true;
}

type Delivery = { id: string | null; event: StoredChatEvent };

/** One node's subscriptions to users' chat channels: one Redis subscription per user, parsed once. */
export class ChatEventHub {
  private readonly users = new Map<string, { subscribers: Set<(d: Delivery) => void>; off: Promise<() => void> }>();

  constructor(
    private readonly redis: Redis,
    private readonly bus: Bus,
  ) {}

  private async listen(userId: string, subscriber: (d: Delivery) => void): Promise<() => void> {
    let user = this.users.get(userId);
    if (!user) {
      const subscribers = new Set<(d: Delivery) => void>();
      const off = this.bus.onRaw(userChannel(userId), (message) => {
        const space = message.indexOf(" ");
        const [id, traceparent] = splitTraced(message.slice(0, space));
        const delivery = { id: id === "-" ? null : id, event: JSON.parse(message.slice(space + 1)) as StoredChatEvent };
        // send -> deliver: once per recipient and node, however many tabs of theirs listen here
        if (delivery.event.type === "message.new") serviceMetrics().chatDelivery.observe(Math.max(0, Date.now() - delivery.event.m.createdAt) / 1000);
        recordDelivery("chat.event deliver", traceparent, { "chat.event.type": delivery.event.type, "chat.subscribers": subscribers.size });
        for (const deliver of subscribers) deliver(delivery);
      });
      user = { subscribers, off };
      this.users.set(userId, user);
    }
    user.subscribers.add(subscriber);
    await user.off;
    return () => {
      const current = this.users.get(userId);
      if (!current) return;
      current.subscribers.delete(subscriber);
      if (current.subscribers.size === 0) {
        this.users.delete(userId);
        void current.off.then((off) => off());
      }
    };
  }

  /**
   * Listens to the user's events, then returns them after `afterId` (stored ones first, then live ones), or from
   * now on when it is null, until `signal` aborts; `extra` may inject more ephemeral events (presence). Listening
   * starts before this resolves, not when the events are first read: tRPC tells the client its subscription has
   * started as soon as the handler returns, and an event published in between would otherwise be lost. Live events
   * already read from the stream are dropped, so nothing is lost or doubled.
   */
  async open(
    userId: string,
    afterId: string | null,
    signal: AbortSignal | undefined,
    extra?: (push: (event: StoredChatEvent) => void) => Promise<() => void>,
  ): Promise<AsyncGenerator<LoggedChatEvent>> {
    const queue: Delivery[] = [];
    let wake: (() => void) | null = null;
    const push = (d: Delivery) => {
      queue.push(d);
      wake?.();
    };
    const off = await this.listen(userId, push);
    const offExtra = extra ? await extra((event) => push({ id: null, event })) : null;
    let closed = false;
    // an abort also stops listening when the events are never read (the socket closed before the first one)
    const close = () => {
      if (closed) return;
      closed = true;
      off();
      offExtra?.();
    };
    signal?.addEventListener("abort", close, { once: true });
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    const redis = this.redis;
    return (async function* () {
      let last = afterId ?? "0-0";
      try {
        const stored = afterId ? await redis.xrange(userStreamKey(userId), `(${afterId}`, "+") : [];
        for (const [id, fields] of stored) {
          last = id;
          yield { id, event: JSON.parse(fields[1] ?? "{}") as StoredChatEvent, replayed: true as const };
        }
        while (!signal?.aborted) {
          const next = queue.shift();
          if (!next) {
            await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
            wake = null;
            continue;
          }
          if (next.id === null) {
            yield { id: last, event: next.event };
            continue;
          }
          if (compareStreamIds(next.id, last) <= 0) continue;
          last = next.id;
          yield { id: next.id, event: next.event };
        }
      } finally {
        close();
      }
    })();
  }
}

const hubs = new WeakMap<Bus, ChatEventHub>();

/** This node's hub (one per bus, created on first use). */
export function chatEventHub(redis: Redis, bus: Bus): ChatEventHub {
  let hub = hubs.get(bus);
  if (!hub) hubs.set(bus, (hub = new ChatEventHub(redis, bus)));
  return hub;
}

// The durable, ordered event log of each meeting, shared by all realtime nodes: a capped Redis stream (ids for
// tracked() resumption, catch-up after reconnect) and a pub/sub channel for live fan-out of
// "<stream id> <type> <to or *> <json>" (a node routes an event by its type and addressee, and parses it only
// when it must); see keys.ts. One Lua script appends and publishes, so the channel's order is the stream's order.
import type { Redis } from "ioredis";
import type { Bus } from "../services/bus.ts";
import { compareStreamIds } from "../services/streamIds.ts";
import type { MeetingEvent, StoredMeetingEvent } from "./events.ts";
import { meetingKeys } from "./keys.ts";
import { recordDelivery, splitTraced, tracedSuffix } from "../tracing/traceContext.ts";

const STREAM_MAXLEN = 1000;

// ARGV: the stored JSON, the stream's cap, its TTL, "<type> <to or *>"
const APPEND = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[4] .. ' ' .. ARGV[1])
return id
`;

/**
 * A P2P signal for one participant (ARGV[5]): refused with 0 while the meeting's media does not run on the mesh
 * (KEYS[4] absent, see meshGate.ts), with nil unless they are in the meeting's presence hash.
 */
const APPEND_P2P_SIGNAL = `
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[3], ARGV[5]) == 0 then return false end
${APPEND}`;

// A meeting's log outlives a quiet day, not forever.
export const STREAM_TTL_MS = 24 * 60 * 60 * 1000;

type RedisWithAppend = Redis & {
  meetingEventAppend(stream: string, channel: string, json: string, maxlen: number, ttlMs: number, route: string): Promise<string>;
  meetingSignalAppend(
    stream: string,
    channel: string,
    presence: string,
    mesh: string,
    json: string,
    maxlen: number,
    ttlMs: number,
    route: string,
    peerId: string,
  ): Promise<string | 0 | null>;
};

function withAppend(redis: Redis): RedisWithAppend {
  const r = redis as RedisWithAppend;
  if (typeof r.meetingEventAppend !== "function") {
    redis.defineCommand("meetingEventAppend", { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand("meetingSignalAppend", { numberOfKeys: 4, lua: APPEND_P2P_SIGNAL });
  }
  return r;
}

/** Appends an event for everyone in the meeting (or only for peer `to`); returns its id. */
export function appendMeetingEvent(redis: Redis, meetingId: string, event: MeetingEvent, to?: string): Promise<string> {
  const stored: StoredMeetingEvent = to ? { to, event } : { event };
  return withAppend(redis).meetingEventAppend(
    meetingKeys.events(meetingId),
    meetingKeys.channel(meetingId),
    JSON.stringify(stored),
    STREAM_MAXLEN,
    STREAM_TTL_MS,
    `${event.type} ${to ?? "*"}${tracedSuffix()}`,
  );
}

/**
 * Appends a P2P signal for participant `to`: "sent", "absent" when they are not in the meeting, "closed" when the
 * meeting's media does not run on the mesh (nobody learns another's address from ICE candidates then).
 */
export async function appendP2PSignal(redis: Redis, meetingId: string, event: Extract<MeetingEvent, { type: "p2p.signal" }>, to: string): Promise<"sent" | "absent" | "closed"> {
  const stored: StoredMeetingEvent = { to, event };
  const result = await withAppend(redis).meetingSignalAppend(
    meetingKeys.events(meetingId),
    meetingKeys.channel(meetingId),
    meetingKeys.presence(meetingId),
    meetingKeys.mesh(meetingId),
    JSON.stringify(stored),
    STREAM_MAXLEN,
    STREAM_TTL_MS,
    `${event.type} ${to}${tracedSuffix()}`,
    to,
  );
  return result === 0 ? "closed" : result === null ? "absent" : "sent";
}

export interface LoggedMeetingEvent {
  id: string;
  event: MeetingEvent;
}

/** One live event as this node received it: the same object for every subscriber of the meeting on this node. */
export interface SharedTrackedEvent {
  readonly id: string;
  /** `superjson.serialize({ id, data: event })` as JSON text, built once per node and event */
  readonly serialized: string;
  /**
   * Scratch space of the transport, shared by this event's subscribers on this node: a frame encoded for one
   * subscriber is kept here for the next one whose frame is the same bytes.
   */
  readonly frames: Map<string, unknown>;
}

/**
 * Where a subscription's live events can be written straight to its socket, bypassing the per-subscriber
 * serialization of the tRPC handler: the realtime server's WebSocket handler provides one per subscription.
 */
export interface TrackedEventSink {
  sendTracked(event: SharedTrackedEvent): void;
}

/** One live event as this node received it, shared by the meeting's subscribers here and parsed only if one must. */
class Delivery implements SharedTrackedEvent {
  private serializedText: string | null = null;
  private framesByKey: Map<string, unknown> | null = null;
  private parsed: MeetingEvent | null = null;

  constructor(
    readonly id: string,
    readonly type: MeetingEvent["type"],
    /** the participant the event is for, if only one */
    readonly to: string | undefined,
    /** the stored JSON as published (`{"to":…,"event":…}` or `{"event":…}`) */
    private readonly storedJson: string,
    /** the publisher's trace, "" when it was not traced */
    readonly traceparent: string,
  ) {}

  /** Parses a "<stream id> <type> <to or *>[@<traceparent>] <json>" message of the meeting's channel. */
  static fromMessage(message: string): Delivery {
    const idEnd = message.indexOf(" ");
    const typeEnd = message.indexOf(" ", idEnd + 1);
    const toEnd = message.indexOf(" ", typeEnd + 1);
    const [to, traceparent] = splitTraced(message.slice(typeEnd + 1, toEnd));
    const type = message.slice(idEnd + 1, typeEnd) as MeetingEvent["type"];
    return new Delivery(message.slice(0, idEnd), type, to === "*" ? undefined : to, message.slice(toEnd + 1), traceparent);
  }

  get event(): MeetingEvent {
    return (this.parsed ??= (JSON.parse(this.storedJson) as StoredMeetingEvent).event);
  }

  /** superjson's form of the tracked envelope `{ id, data: event }`, from the published JSON text itself. */
  get serialized(): string {
    if (this.serializedText === null) {
      // The event is plain JSON (it came through JSON.parse), so superjson has nothing to annotate: its output
      // is `{ json: value }`, and the event's own JSON text can be spliced in as published.
      const prefix = this.to === undefined ? '{"event":' : `{"to":${JSON.stringify(this.to)},"event":`;
      const eventJson = this.storedJson.startsWith(prefix) ? this.storedJson.slice(prefix.length, -1) : JSON.stringify(this.event);
      this.serializedText = `{"json":{"id":${JSON.stringify(this.id)},"data":${eventJson}}}`;
    }
    return this.serializedText;
  }

  get frames(): Map<string, unknown> {
    return (this.framesByKey ??= new Map());
  }
}

/** Decides from an event's type (and, only when the type says so, the event itself) whether something follows. */
export type MeetingEventTest = (type: MeetingEvent["type"], source: ParsedOnDemand) => boolean;

/** Where an event comes from: parsed on the first read of `event`. */
export interface ParsedOnDemand {
  readonly event: MeetingEvent;
}

export interface MeetingEventsOptions {
  /** live events go here once the stored ones were yielded (the generator then yields nothing more) */
  sink?: TrackedEventSink;
  /** the stream ends after the first event for which this is true (it is still delivered) */
  until?: MeetingEventTest;
}

export class MeetingEventLog {
  /** one Redis subscription per meeting on this node; each message is parsed once and handed to every subscriber */
  private readonly meetings = new Map<string, { subscribers: Set<(d: Delivery) => void>; off: Promise<() => void> }>();

  constructor(
    private readonly redis: Redis,
    private readonly bus: Bus,
  ) {}

  append(meetingId: string, event: MeetingEvent, to?: string): Promise<string> {
    return appendMeetingEvent(this.redis, meetingId, event, to);
  }

  /** The id of the newest event, the point from which a new participant's subscription starts. */
  async lastId(meetingId: string): Promise<string> {
    const [entry] = await this.redis.xrevrange(meetingKeys.events(meetingId), "+", "-", "COUNT", 1);
    return entry?.[0] ?? "0-0";
  }

  /**
   * Calls `onEvent` with each live event of the meeting, also those for one participant (`to`), until the returned
   * function is called.
   */
  watch(meetingId: string, onEvent: (type: MeetingEvent["type"], to: string | undefined, source: ParsedOnDemand) => void): Promise<() => void> {
    return this.listen(meetingId, (delivery) => onEvent(delivery.type, delivery.to, delivery));
  }

  private async listen(meetingId: string, subscriber: (d: Delivery) => void): Promise<() => void> {
    let meeting = this.meetings.get(meetingId);
    if (!meeting) {
      const subscribers = new Set<(d: Delivery) => void>();
      const off = this.bus.onRaw(meetingKeys.channel(meetingId), (message) => {
        const delivery = Delivery.fromMessage(message);
        recordDelivery("meeting.event deliver", delivery.traceparent, { "meeting.event.type": delivery.type, "meeting.subscribers": subscribers.size });
        for (const deliver of subscribers) deliver(delivery);
      });
      meeting = { subscribers, off };
      this.meetings.set(meetingId, meeting);
    }
    meeting.subscribers.add(subscriber);
    await meeting.off;
    return () => {
      const current = this.meetings.get(meetingId);
      if (!current) return;
      current.subscribers.delete(subscriber);
      if (current.subscribers.size === 0) {
        this.meetings.delete(meetingId);
        void current.off.then((off) => off());
      }
    };
  }

  /**
   * The events for `peerId` after `afterId` (stored ones first, then live ones), until `signal` aborts or an
   * event matches `until`. Subscribes before reading the stream, and drops live events already read, so nothing
   * is lost or doubled. With a `sink`, live events skip the generator: once everything stored or queued was
   * yielded (and so written by the consumer), they go to the sink as they arrive.
   */
  async *events(meetingId: string, peerId: string, afterId: string, signal: AbortSignal | undefined, options: MeetingEventsOptions = {}): AsyncGenerator<LoggedMeetingEvent> {
    const { sink, until } = options;
    const queue: LoggedMeetingEvent[] = [];
    let wake: (() => void) | null = null;
    let last = afterId;
    /** set once a live event passed `last`: the channel's order is the stream's, later ones need no comparison */
    let caughtUp = false;
    let direct = false;
    let ended = false;
    const forPeer = (to: string | undefined) => to === undefined || to === peerId;
    const ends = (event: MeetingEvent) => until?.(event.type, { event }) ?? false;
    const off = await this.listen(meetingId, (delivery) => {
      if (ended || !forPeer(delivery.to)) return;
      if (!direct) {
        queue.push({ id: delivery.id, event: delivery.event });
        wake?.();
        return;
      }
      if (!caughtUp) {
        if (compareStreamIds(delivery.id, last) <= 0) return;
        caughtUp = true;
      }
      if (signal?.aborted) return;
      last = delivery.id;
      sink!.sendTracked(delivery);
      if (until?.(delivery.type, delivery)) {
        ended = true;
        wake?.();
      }
    });
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    try {
      const stored = await this.redis.xrange(meetingKeys.events(meetingId), `(${afterId}`, "+");
      for (const [id, fields] of stored) {
        const parsed = JSON.parse(fields[1] ?? "{}") as StoredMeetingEvent;
        last = id;
        if (!forPeer(parsed.to)) continue;
        yield { id, event: parsed.event };
        if (ends(parsed.event)) return;
      }
      while (!signal?.aborted && !ended) {
        const next = queue.shift();
        if (!next) {
          // everything so far was yielded: from now on live events go straight to the sink
          if (sink) direct = true;
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = null;
          continue;
        }
        if (compareStreamIds(next.id, last) <= 0) continue;
        last = next.id;
        yield next;
        if (ends(next.event)) return;
      }
    } finally {
      ended = true;
      off();
    }
  }
}

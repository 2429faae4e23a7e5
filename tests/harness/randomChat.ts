// People in random chat for integration tests and the match benchmark: a guest session (signed in through the
// web app as the page does), a realtime socket to one node, and `random.events` recorded from its first event on.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { MatchRecord } from "../../packages/api/src/random/contract.ts";
import type { RandomClientEvent } from "../../packages/api/src/random/events.ts";
import { randomKeyPrefixes } from "../../packages/api/src/random/keys.ts";
import { RandomMatchStore } from "../../packages/api/src/random/matchStore.ts";
import { realtimeClient, signIn, type RealtimeConnection } from "./clients.ts";

export interface TimedEvent {
  /** performance.now() when it arrived */
  at: number;
  event: RandomClientEvent;
}

export interface RandomPerson {
  name: string;
  userId: string;
  deviceId: string;
  connection: RealtimeConnection;
  client: RealtimeConnection["client"];
  events: TimedEvent[];
  /** the first event after index `from` that `where` accepts, awaited up to `timeoutMs` */
  waitFor<T extends RandomClientEvent["type"]>(
    type: T,
    options?: { from?: number; where?: (e: Extract<RandomClientEvent, { type: T }>) => boolean; timeoutMs?: number },
  ): Promise<Extract<RandomClientEvent, { type: T }>>;
  /** the matches this person was told of, in order */
  matches(): Array<Extract<RandomClientEvent, { type: "matched" }>>;
  close(): Promise<void>;
}

export const newDeviceId = () => randomBytes(16).toString("base64url");

/** A guest's session cookie, signed in through the web app. */
export async function guestCookie(webUrl: string, name: string): Promise<string> {
  const session = await signIn(webUrl, { name }, "guest");
  if (!session.ok) throw new Error(`guest sign-in of ${name} failed: ${session.error}`);
  return session.cookie;
}

/** A person on `wsUrl` (a page at `origin`) listening to their random chat events (already live when this returns). */
export async function randomPerson(options: {
  wsUrl: string;
  origin: string;
  cookie: string;
  name: string;
  deviceId?: string;
  /** called with each event as it arrives (besides recording it) */
  onEvent?: (event: TimedEvent) => void;
  /** the trace the socket's requests carry (realtimeClient) */
  traceparent?: () => string;
}): Promise<RandomPerson> {
  const connection = realtimeClient(options.wsUrl, { cookie: options.cookie, origin: options.origin, traceparent: options.traceparent });
  const { client } = connection;
  const me = await client.auth.me.query();
  if (!me) throw new Error(`${options.name}: the socket has no session`);
  const events: TimedEvent[] = [];
  let failure: unknown = null;
  client.random.events.subscribe(undefined, {
    onData: (event) => {
      const timed = { at: performance.now(), event };
      events.push(timed);
      options.onEvent?.(timed);
    },
    onError: (error) => (failure = error),
  });
  const person: RandomPerson = {
    name: options.name,
    userId: me.id,
    deviceId: options.deviceId ?? newDeviceId(),
    connection,
    client,
    events,
    async waitFor(type, { from = 0, where = () => true, timeoutMs = 20_000 } = {}) {
      const found = await until(() => events.slice(from).find(({ event }) => event.type === type && where(event as never)), timeoutMs, `no ${type} event`);
      return found.event as never;
    },
    matches: () => events.flatMap(({ event }) => (event.type === "matched" ? [event] : [])),
    close: () => connection.close(),
  };
  /** `find()` once it returns something, polled until `timeoutMs` */
  async function until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (failure) throw new Error(`${options.name}: random.events failed: ${String(failure)}`);
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`${options.name}: ${what} within ${timeoutMs} ms; saw ${events.map(({ event }) => event.type).join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  // the subscription's first event says where the person stands: from then on nothing is missed
  await until(() => events[0], 30_000, "no first event");
  return person;
}

/** The match records in Redis (RandomMatches.findMatch) that involve one of `userIds`. */
export async function matchRecordsOf(redis: Redis, userIds: ReadonlySet<string>): Promise<MatchRecord[]> {
  const store = new RandomMatchStore(redis);
  const records: MatchRecord[] = [];
  for await (const keys of redis.scanStream({ match: `${randomKeyPrefixes.record}*`, count: 1000 })) {
    for (const key of keys as string[]) {
      const record = await store.findMatch(key.slice(randomKeyPrefixes.record.length));
      if (record && (userIds.has(record.a.userId) || userIds.has(record.b.userId))) records.push(record);
    }
  }
  return records;
}

/**
 * People in two matches at once, by Redis' clock: for each person, a match that had not ended when their next one
 * started (or never ended, once everyone stopped), as sentences.
 */
export function doubleMatches(records: readonly MatchRecord[]): string[] {
  const byPerson = new Map<string, MatchRecord[]>();
  for (const r of records) for (const { userId } of [r.a, r.b]) byPerson.set(userId, [...(byPerson.get(userId) ?? []), r]);
  const found: string[] = [];
  for (const [userId, own] of byPerson) {
    // Redis' clock counts milliseconds: a match can start and end within the one in which the next starts
    own.sort((x, y) => x.startedAt - y.startedAt || (x.endedAt ?? Infinity) - (y.endedAt ?? Infinity));
    own.forEach((r, i) => {
      const after = own[i + 1];
      if (r.endedAt === null) found.push(`${userId}: match ${r.matchId} never ended`);
      else if (after && r.endedAt > after.startedAt) found.push(`${userId}: match ${r.matchId} ended after ${after.matchId} began`);
    });
  }
  return found;
}

/** The guests of one test file, each on the next realtime node in turn (so partners are often on different nodes). */
export class RandomCrowd {
  private nextNode = 0;
  private people: RandomPerson[] = [];

  constructor(
    private readonly web: { url: string },
    private readonly nodes: ReadonlyArray<{ wsUrl: string }>,
  ) {}

  async guest(name: string, deviceId = newDeviceId()): Promise<RandomPerson> {
    const node = this.nodes[this.nextNode++ % this.nodes.length]!;
    const person = await randomPerson({ wsUrl: node.wsUrl, origin: this.web.url, cookie: await guestCookie(this.web.url, name), name, deviceId });
    this.people.push(person);
    return person;
  }

  /** Everyone stops and leaves, so nobody of one test waits in the queue of the next. */
  async leaveAll(): Promise<void> {
    const leaving = this.people;
    this.people = [];
    await Promise.all(leaving.map((p) => p.client.random.stop.mutate().then(() => p.close())));
  }
}

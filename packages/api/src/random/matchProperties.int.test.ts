// The properties random chat promises, under load: two realtime nodes, 200 guests (real sockets, guest sessions)
// pressing Start, Next and Stop at random for 60 s, with mixed preferences, text-only people, shared devices and
// pairs told to avoid each other. Afterwards, from the match records in Redis and what each client heard:
//   1. nobody was ever in two matches at once (each person's matches, by Redis' clock, never overlap; every match
//      was announced to exactly its two people, each named the other);
//   2. nobody was matched with someone on their avoid list (by account or by device, either way);
//   3. nobody waited forever while a compatible partner waited too: two people who may meet (the same text-only
//      mode, not avoided, not matched with each other before) were never both searching for longer than it takes
//      both to accept anyone (2 x RANDOM_WIDEN_MS) plus a generous margin for a busy machine.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRedis } from "../services/redis.ts";
import { doubleMatches, guestCookie, matchRecordsOf, newDeviceId, randomPerson, type RandomPerson } from "../../../../tests/harness/randomChat.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";
import type { RandomPerson as Party } from "./contract.ts";
import { RandomMatchStore } from "./matchStore.ts";
import { REGIONS, type Preferences } from "./preferences.ts";

const CLIENTS = 200;
const RUN_MS = 60_000;
const WIDEN_MS = 1000;
/** both searching this much longer than it takes both to accept anyone is "waiting forever" */
const MARGIN_MS = 5000;
const AVOID_PAIRS = 30;
/** the last clients use the devices of the first ones (a new guest in the same browser) */
const SHARED_DEVICES = 20;

let web: WebServer;
let nodes: RealtimeServer[] = [];
const redis = createRedis({ url: process.env.REDIS_URL! }, "random-properties-test");
const people: RandomPerson[] = [];

const env = {
  RANDOM_WIDEN_MS: String(WIDEN_MS),
  // 200 people on one address pressing like machines: moderation's press limits and Next-loop watch (tested in
  // moderation/moderation.int.test.ts) would stop them, not what this test is about
  RATE_LIMIT_SCALE: "1000",
  RATE_LIMIT_GUESTS_PER_HOUR: "100000",
  RATE_LIMIT_GLOBAL_PER_MIN: "1000000",
  RATE_LIMIT_WS_UPGRADES_PER_MIN: "100000",
};

beforeAll(async () => {
  web = await startWeb({ env });
  nodes = [await startRealtime({ allowedOrigins: [web.url], env }), await startRealtime({ allowedOrigins: [web.url], env })];
}, 180_000);

afterAll(async () => {
  await Promise.all(people.map((p) => p.close()));
  redis.disconnect();
  await Promise.all([...nodes.map((n) => n.stop()), web?.stop()]);
});

/** A seeded generator: a failing run can be replayed (the seed is printed). */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** epoch ms, from this process's monotonic clock (the same machine as Redis, whose clock stamps the records) */
const epoch = (at: number) => performance.timeOrigin + at;

interface Searching {
  from: number;
  to: number;
}

interface Client {
  person: RandomPerson;
  preferences: Preferences;
  /** when the client was searching (epoch ms): from Start/Next answering "searching" to the match event (or Stop) */
  searching: Searching[];
  errors: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("200 people pressing Start, Next and Stop at random on two nodes: no double match, no avoided pair, nobody left waiting", async () => {
  const seed = Number(process.env.RANDOM_PROPERTY_SEED ?? Date.now() % 1_000_000);
  console.log(`random chat properties: seed ${seed} (RANDOM_PROPERTY_SEED=${seed} replays the choices)`);
  const random = generator(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

  // the people: guests signed in through the web app, half on each node
  const devices = Array.from({ length: CLIENTS }, (_, i) => (i >= CLIENTS - SHARED_DEVICES ? null : newDeviceId()));
  const clients: Client[] = [];
  for (let batch = 0; batch < CLIENTS; batch += 10) {
    const made = await Promise.all(
      Array.from({ length: Math.min(10, CLIENTS - batch) }, async (_, k) => {
        const i = batch + k;
        const name = `P${String(i).padStart(3, "0")}`;
        const deviceId = devices[i] ?? devices[i - (CLIENTS - SHARED_DEVICES)]!;
        return randomPerson({ wsUrl: nodes[i % 2]!.wsUrl, origin: web.url, cookie: await guestCookie(web.url, name), name, deviceId });
      }),
    );
    people.push(...made);
  }
  for (const person of people) {
    const interests = ["chess", "music", "films", "hiking"].filter(() => random() < 0.3);
    const preferences: Preferences = { region: pick(REGIONS.slice(0, 3)), language: pick(["en", "es"]), interests, textOnly: random() < 0.1 };
    clients.push({ person, preferences, searching: [], errors: [] });
  }

  // pairs told never to meet (as moderation does after a report or a block)
  const store = new RandomMatchStore(redis);
  const partyOf = (c: Client): Party => ({ userId: c.person.userId, deviceId: c.person.deviceId, ip: "127.0.0.1" });
  const avoidedBy = new Map<string, Set<string>>();
  const avoidEntries = (key: string) => avoidedBy.get(key) ?? avoidedBy.set(key, new Set()).get(key)!;
  for (let n = 0; n < AVOID_PAIRS; n++) {
    const [a, b] = [pick(clients), pick(clients)];
    if (a === b) continue;
    await store.avoidPair(partyOf(a), partyOf(b));
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const key of [`u:${x.person.userId}`, `d:${x.person.deviceId}`]) avoidEntries(key).add(`u:${y.person.userId}`).add(`d:${y.person.deviceId}`);
    }
  }
  const avoids = (x: Client, y: Client) =>
    [`u:${x.person.userId}`, `d:${x.person.deviceId}`].some((key) => avoidedBy.get(key)?.has(`u:${y.person.userId}`) || avoidedBy.get(key)?.has(`d:${y.person.deviceId}`));

  // everyone presses at random until the time is up
  const endAt = performance.now() + RUN_MS;
  const press = async (client: Client, what: () => Promise<{ status: string }>) => {
    const before = client.person.events.length;
    try {
      const answer = await what();
      // searching from the answer on, unless the match already came meanwhile
      const matchedMeanwhile = client.person.events.slice(before).some(({ event }) => event.type === "matched");
      if (answer.status === "searching" && !matchedMeanwhile) client.searching.push({ from: epoch(performance.now()), to: Number.POSITIVE_INFINITY });
      return answer.status;
    } catch (error) {
      const recent = client.person.events.slice(-4).map(({ event }) => (event.type === "ended" ? `ended:${event.reason}` : event.type));
      client.errors.push(`${String(error)} (after ${recent.join(", ")})`);
      return "error";
    }
  };
  const endSearch = (client: Client, at: number) => {
    const open = client.searching.at(-1);
    if (open && open.to === Number.POSITIVE_INFINITY) open.to = at;
  };
  // a person as the page lets them act: what they see follows the events, in order; after Stop, the events
  // already on their way (a match made just before) are passed over until the stream says "ended"
  const behave = async (client: Client) => {
    const { person } = client;
    const { client: api } = person;
    let seen = person.events.length;
    let state: "idle" | "searching" | "matched" | "left" = "idle";
    let currentMatch: string | null = null;
    let stopping = false;
    let patienceUntil = 0;
    const stop = async () => {
      endSearch(client, epoch(performance.now()));
      currentMatch = null;
      const status = await press(client, () => api.random.stop.mutate().then(({ wasIn }) => ({ status: wasIn })));
      stopping = status !== "idle" && status !== "error";
      state = "idle";
      patienceUntil = performance.now() + random() * 2000;
    };
    while (performance.now() < endAt) {
      for (const { at, event } of person.events.slice(seen)) {
        if (stopping) {
          stopping = event.type !== "ended";
        } else if (event.type === "matched") {
          endSearch(client, epoch(at));
          state = "matched";
          currentMatch = event.matchId;
          patienceUntil = performance.now() + 200 + random() * 2800;
        } else if (event.type === "partnerLeft" && event.matchId === currentMatch) {
          state = "left";
          patienceUntil = performance.now() + random() * 1000;
        }
      }
      seen = person.events.length;
      const now = performance.now();
      if (state === "idle" && now >= patienceUntil && !stopping) {
        const status = await press(client, () => api.random.start.mutate({ deviceId: person.deviceId, preferences: client.preferences }));
        state = status === "searching" || status === "matched" ? "searching" : "idle";
        patienceUntil = performance.now() + 500 + random() * 11_500;
      } else if (state === "searching" && now >= patienceUntil) {
        await stop();
      } else if ((state === "matched" || state === "left") && now >= patienceUntil) {
        if (random() < 0.75) {
          currentMatch = null;
          const status = await press(client, () => api.random.next.mutate({}));
          state = status === "error" ? "idle" : "searching";
          patienceUntil = performance.now() + 500 + random() * 11_500;
        } else {
          await stop();
        }
      }
      await sleep(25 + random() * 50);
    }
    endSearch(client, epoch(performance.now()));
    await api.random.stop.mutate();
  };
  await Promise.all(clients.map(behave));

  // every match has ended now (everyone stopped): the records in Redis are final
  const byUser = new Map(clients.map((c) => [c.person.userId, c]));
  const records = await matchRecordsOf(redis, new Set(byUser.keys()));
  const matchesHeard = new Map<string, string[]>();
  for (const c of clients) for (const m of c.person.matches()) matchesHeard.set(m.matchId, [...(matchesHeard.get(m.matchId) ?? []), c.person.name]);
  console.log(
    JSON.stringify({
      randomChatProperties: {
        seed,
        clients: CLIENTS,
        matches: records.length,
        searches: clients.reduce((n, c) => n + c.searching.length, 0),
        errors: clients.flatMap((c) => c.errors).length,
      },
    }),
  );
  expect(records.length).toBeGreaterThan(CLIENTS);

  // 1. never two matches at once
  for (const r of records) {
    const names = [byUser.get(r.a.userId)!.person.name, byUser.get(r.b.userId)?.person.name].sort();
    expect(matchesHeard.get(r.matchId)?.sort(), `match ${r.matchId} was announced to its two people`).toEqual(names);
  }
  for (const c of clients)
    for (const m of c.person.matches())
      expect(records.some((r) => r.matchId === m.matchId && byUser.get(r.a.userId === c.person.userId ? r.b.userId : r.a.userId)?.person.name === m.partnerName)).toBe(true);
  expect(doubleMatches(records)).toEqual([]);

  // 2. never with someone avoided
  const avoidedMatches = records.filter((r) => avoids(byUser.get(r.a.userId)!, byUser.get(r.b.userId)!) || avoids(byUser.get(r.b.userId)!, byUser.get(r.a.userId)!));
  expect(avoidedMatches.map((r) => r.matchId)).toEqual([]);

  // 3. nobody waited forever beside a compatible partner
  const pairKey = (a: string, b: string) => [a, b].sort().join(" ");
  const pairStarts = new Map<string, number[]>();
  for (const r of records) pairStarts.set(pairKey(r.a.userId, r.b.userId), [...(pairStarts.get(pairKey(r.a.userId, r.b.userId)) ?? []), r.startedAt]);
  const limit = 2 * WIDEN_MS + MARGIN_MS;
  /** what a client heard from shortly before `from` on, for the failure message */
  const around = (c: Client, from: number) =>
    `${c.person.name} (${c.preferences.region} ${c.preferences.language} ${c.preferences.interests.join("+") || "-"}): ` +
    c.person.events
      .filter(({ at }) => epoch(at) >= from - 1000 && epoch(at) <= from + limit + 2000)
      .map(({ at, event }) => `${Math.round(epoch(at) - from)} ${event.type}${"stage" in event ? event.stage : ""}`)
      .join(", ");
  const leftWaiting: string[] = [];
  for (let i = 0; i < clients.length; i++) {
    for (let j = i + 1; j < clients.length; j++) {
      const [x, y] = [clients[i]!, clients[j]!];
      if (x.preferences.textOnly !== y.preferences.textOnly || avoids(x, y) || avoids(y, x)) continue;
      const metAt = pairStarts.get(pairKey(x.person.userId, y.person.userId)) ?? [];
      for (const sx of x.searching) {
        for (const sy of y.searching) {
          const from = Math.max(sx.from, sy.from);
          // matched with each other before: not again within the test (REPEAT_PAIR_MS is longer than it)
          if (metAt.some((t) => t <= from)) continue;
          const together = Math.min(sx.to, sy.to) - from;
          if (together > limit) leftWaiting.push(`${x.person.name} and ${y.person.name} both searched for ${Math.round(together)} ms: ${around(x, from)}; ${around(y, from)}`);
        }
      }
    }
  }
  expect(leftWaiting).toEqual([]);
  expect(clients.flatMap((c) => c.errors.map((e) => `${c.person.name}: ${e}`))).toEqual([]);
}, 300_000);

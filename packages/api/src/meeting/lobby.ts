// A meeting's lobby: the people waiting for the host to let them in, shared by every realtime node through Redis
// (see keys.ts). A newcomer's node adds them (`knock`) and waits for the host's decision on the lobby's channel;
// the host's node lists the lobby (`watchLobby`) and decides (`decide`). Each step is one Lua script, so a
// decision and the lobby's change are seen together, on any node. The lobby is signaling only: it works the same
// for P2P mesh and SFU meetings.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { logFailure } from "@qualmeet/log";
import type { Bus } from "../services/bus.ts";
import { consumeToken } from "../services/rateLimit.ts";
import { tooManyRequests } from "../trpc.ts";
import { ADMITTED_TTL_MS, LOBBY_DENIED, MEETING_LOCKED, REMOVED_FROM_MEETING, admissionOf } from "./admission.ts";
import type { WatchMeeting } from "./edgeMembers.ts";
import { meetingKeys } from "./keys.ts";
import type { Caller } from "./participants.ts";
import { removedPeople } from "./removal.ts";

/** At most this many people wait in one meeting's lobby (one entry per person): a flood cannot bury the host. */
export const LOBBY_MAX_WAITING = 50;
/** Asking to join again and again (after a denial, say) is limited per person. */
export const KNOCKS = { scope: "lobby:knock", capacity: 10, windowMs: 10 * 60_000 };
/** A lobby outlives a quiet day, not forever. */
const LOBBY_TTL_MS = 24 * 60 * 60 * 1000;

export interface LobbyEntry {
  userId: string;
  displayName: string;
  isGuest: boolean;
  /** when they started waiting (ms) */
  since: number;
  /** this knock: a later knock of the same person (another tab) replaces it */
  knockId: string;
}

/**
 * What the page asking to join is told: let in, still waiting, or why not (turned away from the lobby, the
 * meeting ended meanwhile, removed by the host, locked by the host).
 */
export type KnockState = { state: "admitted" } | { state: "waiting" } | { state: "denied" | "ended" | "removed" | "locked"; message: string };

/** What a lobby's channel carries: it changed (re-read it), or the host decided about one person. */
type LobbyNotice = { type: "changed" } | { type: "decided"; userId: string; decision: "admitted" | "denied" };

// KEYS: lobby hash, admitted set, channel. ARGV: userId, entry JSON, max waiting, TTL ms.
const KNOCK = `
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'admitted' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[3], '{"type":"changed"}')
return 'waiting'
`;

// KEYS: lobby hash, admitted set, channel. ARGV: userId, "admitted" | "denied", admitted TTL ms. The entry, or nil.
const DECIDE = `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
if ARGV[2] == 'admitted' then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('PUBLISH', KEYS[3], cjson.encode({ type = 'decided', userId = ARGV[1], decision = ARGV[2] }))
return entry
`;

// KEYS: lobby hash, channel. ARGV: userId, knockId. Removes the entry only if it is still this knock's.
const GIVE_UP = `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry or cjson.decode(entry).knockId ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', KEYS[2], '{"type":"changed"}')
return 1
`;

type RedisWithLobby = Redis & {
  lobbyKnock(lobby: string, admitted: string, channel: string, userId: string, entry: string, max: number, ttlMs: number): Promise<"admitted" | "full" | "waiting">;
  lobbyDecide(lobby: string, admitted: string, channel: string, userId: string, decision: string, ttlMs: number): Promise<string | null>;
  lobbyGiveUp(lobby: string, channel: string, userId: string, knockId: string): Promise<number>;
};

function withLobby(redis: Redis): RedisWithLobby {
  const r = redis as RedisWithLobby;
  if (typeof r.lobbyKnock !== "function") {
    redis.defineCommand("lobbyKnock", { numberOfKeys: 3, lua: KNOCK });
    redis.defineCommand("lobbyDecide", { numberOfKeys: 3, lua: DECIDE });
    redis.defineCommand("lobbyGiveUp", { numberOfKeys: 2, lua: GIVE_UP });
  }
  return r;
}

/** The host's lobby panels read the lobby, the meeting's settings and its removed people again. */
export async function lobbyChanged(redis: Redis, meetingId: string): Promise<void> {
  await redis.publish(meetingKeys.lobbyChannel(meetingId), '{"type":"changed"}');
}

/** Who waits, longest first. */
export async function waitingList(redis: Redis, meetingId: string): Promise<Array<Omit<LobbyEntry, "knockId">>> {
  const raw = await redis.hgetall(meetingKeys.lobby(meetingId));
  return Object.values(raw)
    .map((json) => JSON.parse(json) as LobbyEntry)
    .sort((a, b) => a.since - b.since)
    .map(({ knockId: _knock, ...entry }) => entry);
}

/** The host lets `userId` in or turns them away; null when they are not waiting (any more). */
export async function decide(redis: Redis, meetingId: string, userId: string, decision: "admitted" | "denied"): Promise<LobbyEntry | null> {
  const entry = await withLobby(redis).lobbyDecide(
    meetingKeys.lobby(meetingId),
    meetingKeys.admitted(meetingId),
    meetingKeys.lobbyChannel(meetingId),
    userId,
    decision,
    ADMITTED_TTL_MS,
  );
  return entry === null ? null : (JSON.parse(entry) as LobbyEntry);
}

/** Everyone waiting is let in (the host turned the lobby off: anyone with the link joins). */
export async function admitEveryone(redis: Redis, meetingId: string): Promise<number> {
  let admitted = 0;
  for (const entry of await waitingList(redis, meetingId)) if (await decide(redis, meetingId, entry.userId, "admitted")) admitted++;
  return admitted;
}

/**
 * A wakeable wait: `notify()` wakes the one waiting `next()`, and a notify while nobody waits is kept for the next
 * wait, so nothing that happened between two waits is missed.
 */
class Signal {
  private pending = false;
  private wake: (() => void) | null = null;

  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  next(aborted: Promise<void>): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), aborted]).finally(() => {
      this.wake = null;
      this.pending = false;
    });
  }
}

const abortedPromise = (signal: AbortSignal | undefined) => new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));

export interface LobbyDeps {
  db: PrismaClient;
  redis: Redis;
  bus: Bus;
  /** the meeting's events as they pass this node: a waiting person hears when the meeting ends */
  watchMeeting: WatchMeeting;
}

/**
 * `caller` asks to join: admitted at once when no lobby applies to them, else they wait (listed for the host)
 * until the host decides, the meeting ends or they give up (the subscription ends: their entry goes). Someone
 * removed, or new to a locked meeting, is told so; a full lobby and too many knocks are thrown (TOO_MANY_REQUESTS).
 */
export async function* knock(deps: LobbyDeps, meetingId: string, caller: Pick<Caller, "user" | "ip">, signal: AbortSignal | undefined): AsyncGenerator<KnockState> {
  const { redis, bus } = deps;
  const admission = await admissionOf(deps.db, redis, meetingId, caller);
  if (admission !== "wait") {
    yield admission === "enter"
      ? { state: "admitted" }
      : admission === "removed"
        ? { state: "removed", message: REMOVED_FROM_MEETING }
        : { state: "locked", message: MEETING_LOCKED };
    return;
  }
  const limited = await consumeToken(redis, KNOCKS, caller.user.id);
  if (!limited.allowed) throw tooManyRequests("requests to join this meeting", limited.retryAfterMs);

  let outcome: KnockState | null = null;
  const wake = new Signal();
  const settle = (state: KnockState) => {
    outcome ??= state;
    wake.notify();
  };
  // listen before entering the lobby: the host's decision cannot pass unseen
  const offLobby = await bus.on(meetingKeys.lobbyChannel(meetingId), (raw) => {
    const notice = raw as LobbyNotice;
    if (notice.type !== "decided" || notice.userId !== caller.user.id) return;
    settle(notice.decision === "admitted" ? { state: "admitted" } : { state: "denied", message: LOBBY_DENIED });
  });
  const stopWatching = await deps.watchMeeting(meetingId, (type) => {
    if (type === "meeting.ended") settle({ state: "ended", message: "This meeting has ended." });
  });
  const entry: LobbyEntry = { userId: caller.user.id, displayName: caller.user.name, isGuest: caller.user.isGuest, since: Date.now(), knockId: randomUUID() };
  try {
    const result = await withLobby(redis).lobbyKnock(
      meetingKeys.lobby(meetingId),
      meetingKeys.admitted(meetingId),
      meetingKeys.lobbyChannel(meetingId),
      entry.userId,
      JSON.stringify(entry),
      LOBBY_MAX_WAITING,
      LOBBY_TTL_MS,
    );
    if (result === "full") throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many people are waiting to join this meeting. Try again in a few minutes." });
    if (result === "admitted") settle({ state: "admitted" });
    else yield { state: "waiting" };
    const aborted = abortedPromise(signal);
    while (!outcome && !signal?.aborted) await wake.next(aborted);
    if (outcome) yield outcome;
  } finally {
    offLobby();
    stopWatching();
    // gave up (closed the page) or the meeting ended: the host no longer sees them waiting
    if (!outcome || (outcome as KnockState).state === "ended") {
      void withLobby(redis)
        .lobbyGiveUp(meetingKeys.lobby(meetingId), meetingKeys.lobbyChannel(meetingId), entry.userId, entry.knockId)
        .catch(logFailure("lobby: a person who stopped waiting is still listed (the host can deny them)", { meetingId, userId: entry.userId }));
    }
  }
}

/** What the host's lobby panel shows: the meeting's settings, who waits (longest first) and who was removed. */
export interface HostLobbyView {
  locked: boolean;
  lobbyEnabled: boolean;
  waiting: Array<Omit<LobbyEntry, "knockId">>;
  removed: Array<{ userId: string; displayName: string; isGuest: boolean; removedAt: Date }>;
}

async function hostLobbyView(db: PrismaClient, redis: Redis, meetingId: string): Promise<HostLobbyView> {
  const [meeting, waiting, removed] = await Promise.all([
    db.meeting.findUniqueOrThrow({ where: { id: meetingId }, select: { locked: true, lobbyEnabled: true } }),
    waitingList(redis, meetingId),
    removedPeople(db, meetingId),
  ]);
  return { ...meeting, waiting, removed };
}

/** The host's lobby panel: its view now, then again after every change, until `signal` aborts. */
export async function* watchLobby(deps: Pick<LobbyDeps, "db" | "redis" | "bus">, meetingId: string, signal: AbortSignal | undefined): AsyncGenerator<HostLobbyView> {
  const changed = new Signal();
  // listen before the first read: a change in between is read again, never missed
  const off = await deps.bus.on(meetingKeys.lobbyChannel(meetingId), () => changed.notify());
  const aborted = abortedPromise(signal);
  try {
    let last = "";
    while (!signal?.aborted) {
      const view = await hostLobbyView(deps.db, deps.redis, meetingId);
      const text = JSON.stringify(view);
      if (text !== last) {
        last = text;
        yield view;
      }
      await changed.next(aborted);
    }
  } finally {
    off();
  }
}

// One realtime node's side of random chat. Start, Next and Stop go through the matching scripts (matchScripts.ts),
// which decide every match atomically in Redis. The node that took a person's Start holds it: it retries the
// search when the person's preferences widen and every RETRY_MS after (someone they would accept may wait
// without either having arrived since: a recent pair expired, or both widened), refreshes the person's entry
// (PERSON_HEARTBEAT_MS; a node that dies lets it expire), and takes them out when the socket that started closes.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import { logger } from "@qualmeet/log";
import { currentTraceparent, inSpan } from "../tracing/traceContext.ts";
import { tooManyRequests } from "../trpc.ts";
import type { BanNotice, RandomPerson, RandomSafety } from "./contract.ts";
import type { RandomEvent } from "./events.ts";
import { PERSON_HEARTBEAT_MS, PERSON_TTL_MS, randomKeys } from "./keys.ts";
import { matching, type LeaveReason, type PersonState } from "./matchScripts.ts";
import { RandomMatchStore } from "./matchStore.ts";
import { criteria, joinInterests, splitInterests, stageStartsAt, widenStage, type Preferences, type Region, type WidenStage } from "./preferences.ts";

/** A searching person's search is tried again this often once fully widened. */
export const RETRY_MS = 5000;

export interface RandomCaller {
  userId: string;
  /** shown to the partner */
  name: string;
  ip: string;
  /** the socket the call came on: the person leaves when the socket that pressed Start or Next closes */
  connectionId: string;
}

/** What pressing Start or Next did; moderation's refusals are answers the page shows (rate limits are errors). */
export type PressOutcome =
  | { status: "searching" }
  | { status: "matched"; matchId: string }
  | { status: "banned"; ban: BanNotice; message: string }
  | { status: "challengeRequired"; message: string }
  | { status: "held"; message: string };

interface HeldPerson {
  connectionId: string;
  preferences: Preferences;
  /** this node's clock when the search began; null while matched or after the partner left */
  searchingSince: number | null;
  timer: NodeJS.Timeout | null;
}

export interface RandomServiceDeps {
  redis: Redis;
  nodeId: string;
  /** moderation's checks of every Start and Next (contract.ts) */
  safety: RandomSafety;
  /** RANDOM_WIDEN_MS */
  widenMs: number;
  /** told how long the two people of each match made here searched, in ms (metrics/matchWaits.ts) */
  matchWaits?: { record(waitsMs: number[]): void };
}

const FIELDS = ["state", "device", "region", "lang", "tags", "text", "match", "since", "stage", "pname", "shared", "offer"] as const;
type Stored = Record<(typeof FIELDS)[number], string | null>;

export class RandomService {
  readonly matches: RandomMatchStore;
  private readonly held = new Map<string, HeldPerson>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RandomServiceDeps) {
    this.matches = new RandomMatchStore(deps.redis);
  }

  start(): void {
    this.heartbeat = setInterval(() => void this.refresh(), PERSON_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  stop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const person of this.held.values()) if (person.timer) clearTimeout(person.timer);
    this.held.clear();
  }

  /** Start: refused while searching or in a match, else checked by moderation, then queued (or matched at once). */
  async begin(caller: RandomCaller, input: { deviceId: string; preferences: Preferences; challengeSolution?: string }): Promise<PressOutcome> {
    const { state } = await this.stored(caller.userId);
    if (state === "queued" || state === "matched") throw alreadyStarted(state);
    const person: RandomPerson = { userId: caller.userId, deviceId: input.deviceId, ip: caller.ip };
    const refused = await this.check(person, "start", input.challengeSolution);
    if (refused) return refused;
    await this.matches.avoid(person, await this.deps.safety.neverMatch(person));
    return this.enqueue("start", caller, input.deviceId, input.preferences, "");
  }

  /** Next: ends the current match (or follows a partner who left) and searches again with the same preferences. */
  async next(caller: RandomCaller, input: { matchId?: string; challengeSolution?: string }): Promise<PressOutcome> {
    const stored = await this.stored(caller.userId);
    const state = (stored.state ?? "idle") as PersonState;
    if (state === "idle" || state === "queued") throw noPartner(state);
    if (input.matchId !== undefined && input.matchId !== stored.match) throw notYourMatch();
    const person: RandomPerson = { userId: caller.userId, deviceId: stored.device!, ip: caller.ip };
    const refused = await this.check(person, "next", input.challengeSolution);
    if (refused) {
      // the person still leaves the call they wanted out of; only the new search is refused
      await matching(this.deps.redis).randomLeave(caller.userId, "refused", "");
      return refused;
    }
    const preferences: Preferences = {
      region: stored.region as Region,
      language: stored.lang!,
      interests: splitInterests(stored.tags),
      textOnly: stored.text === "1",
    };
    return this.enqueue("next", caller, person.deviceId, preferences, input.matchId ?? "");
  }

  /** Stop: out of the queue or the match (the partner is told). Stopping when not started changes nothing. */
  async leave(userId: string, reason: Extract<LeaveReason, "stopped" | "removed">): Promise<{ wasIn: PersonState }> {
    const left = await matching(this.deps.redis).randomLeave(userId, reason, "");
    this.forget(userId);
    return { wasIn: left === "moved" ? "idle" : (left as PersonState) };
  }

  /** Relays `event` to the caller's partner in `matchId`: NOT_FOUND when that is not their current match. */
  async relay(userId: string, matchId: string, event: RandomEvent): Promise<void> {
    const sent = await matching(this.deps.redis).randomRelay(userId, matchId, JSON.stringify(event));
    if (sent !== 1) throw notYourMatch();
  }

  /** NOT_FOUND unless `matchId` is the person's current match (a call still going on). */
  async inMatch(userId: string, matchId: string): Promise<void> {
    const [state, match] = await this.deps.redis.hmget(randomKeys.person(userId), "state", "match");
    if (state !== "matched" || match !== matchId) throw notYourMatch();
  }

  /** Where the person stands now, as the event that put them there (a subscription starts with it). */
  async snapshot(userId: string): Promise<RandomEvent> {
    const stored = await this.stored(userId);
    switch (stored.state) {
      case "queued":
        return { type: "searching", since: Number(stored.since), stage: Number(stored.stage) as WidenStage };
      case "matched":
        return { type: "matched", matchId: stored.match!, partnerName: stored.pname!, shared: stored.shared ?? "", youOffer: stored.offer === "1", textOnly: stored.text === "1" };
      case "ended":
        return { type: "partnerLeft", matchId: stored.match! };
      default:
        return { type: "idle" };
    }
  }

  /** A socket closed: whoever it pressed Start or Next for leaves (their partner is told). */
  connectionClosed(connectionId: string): void {
    for (const [userId, person] of this.held) {
      if (person.connectionId !== connectionId) continue;
      this.forget(userId);
      matching(this.deps.redis)
        .randomLeave(userId, "disconnected", connectionId)
        .catch((err: unknown) => logger.warn({ err, userId }, "random: taking out a person whose socket closed failed: their entry expires within a minute"));
    }
  }

  private async stored(userId: string): Promise<Stored> {
    const values = await this.deps.redis.hmget(randomKeys.person(userId), ...FIELDS);
    return Object.fromEntries(FIELDS.map((field, i) => [field, values[i] ?? null])) as Stored;
  }

  private async check(person: RandomPerson, action: "start" | "next", solution: string | undefined): Promise<PressOutcome | null> {
    const verdict = await this.deps.safety.checkStart(person, action, solution);
    switch (verdict.kind) {
      case "allowed":
        return null;
      case "rateLimited":
        throw tooManyRequests("Start and Next presses", verdict.retryAfterMs);
      case "banned":
        return { status: "banned", ban: verdict.ban, message: banMessage(verdict.ban) };
      case "challenge":
        return { status: "challengeRequired", message: "Challenge required: your browser solves a short check, then press again." };
      case "held":
        return { status: "held", message: "You are held out of matching until a moderator has reviewed the reports about you." };
    }
  }

  private async enqueue(mode: "start" | "next", caller: RandomCaller, deviceId: string, preferences: Preferences, expectedMatch: string): Promise<PressOutcome> {
    const wanted = criteria(preferences, 0);
    const matchId = randomUUID();
    const [result, detail, ...waits] = await matching(this.deps.redis).randomEnqueue(
      caller.userId,
      mode,
      caller.name,
      deviceId,
      caller.ip,
      preferences.region,
      preferences.language,
      joinInterests(preferences.interests),
      preferences.textOnly ? "1" : "0",
      wanted.region,
      wanted.language,
      wanted.interests,
      this.deps.nodeId,
      caller.connectionId,
      matchId,
      expectedMatch,
      currentTraceparent(),
    );
    // the state changed between the check above and the script (another tab): the script's word is final
    if (result === "already") throw alreadyStarted(detail as PersonState);
    if (result === "nopartner") throw noPartner(detail as PersonState);
    if (result === "stale") throw notYourMatch();
    if (result === "matched") this.deps.matchWaits?.record(waits.map(Number));
    this.hold(caller.userId, { connectionId: caller.connectionId, preferences, searchingSince: result === "searching" ? Date.now() : null, timer: null });
    return result === "matched" ? { status: "matched", matchId: detail! } : { status: "searching" };
  }

  private hold(userId: string, person: HeldPerson): void {
    this.forget(userId);
    this.held.set(userId, person);
    // the press itself searched with the person's own preferences (stage 0)
    if (person.searchingSince !== null) this.schedule(userId, person, 0);
  }

  private forget(userId: string): void {
    const person = this.held.get(userId);
    if (person?.timer) clearTimeout(person.timer);
    this.held.delete(userId);
  }

  /**
   * The next try after one at stage `tried`: when the next stage begins, then every RETRY_MS. From the stage tried,
   * not the clock now: a try that began a millisecond before a stage (timers fire on a coarse clock) must not skip it.
   */
  private schedule(userId: string, person: HeldPerson, tried: WidenStage): void {
    const waited = Date.now() - person.searchingSince!;
    const at = tried < 2 ? stageStartsAt((tried + 1) as 1 | 2, this.deps.widenMs) : waited + RETRY_MS;
    person.timer = setTimeout(() => void this.retry(userId, person), Math.max(0, at - waited));
    person.timer.unref();
  }

  private async retry(userId: string, person: HeldPerson): Promise<void> {
    const stage = widenStage(Date.now() - person.searchingSince!, this.deps.widenMs);
    const wanted = criteria(person.preferences, stage);
    let state: string;
    try {
      let waits: string[];
      // a retry continues the trace of the press that queued the person (its timer was set there): a match it finds,
      // and both people's notices of it, join that trace
      [state, , ...waits] = await inSpan("random.search retry", { attributes: { "random.stage": stage } }, async (span) => {
        const result = (await matching(this.deps.redis).randomTry(
          userId,
          person.connectionId,
          String(stage),
          wanted.region,
          wanted.language,
          wanted.interests,
          randomUUID(),
          currentTraceparent(),
        )) as [string, ...string[]];
        span.setAttribute("random.state", result[0]);
        return result;
      });
      if (state === "matched") this.deps.matchWaits?.record(waits.map(Number));
    } catch (err) {
      logger.warn({ err, userId }, "random: retrying a search failed: tried again later");
      state = "searching";
    }
    // a newer Start or Next (or a Stop) replaced this search meanwhile
    if (this.held.get(userId) !== person) return;
    if (state === "idle" || state === "moved") this.forget(userId);
    else if (state === "searching") this.schedule(userId, person, stage);
    else person.searchingSince = null;
  }

  /** Keeps the entries of the people this node holds; an entry gone (removed, expired) is forgotten. */
  private async refresh(): Promise<void> {
    const held = [...this.held];
    if (held.length === 0) return;
    const pipeline = this.deps.redis.pipeline();
    for (const [id] of held) pipeline.pexpire(randomKeys.person(id), PERSON_TTL_MS);
    const results = await pipeline.exec().catch((err: unknown) => {
      logger.warn({ err, people: held.length }, "random: refreshing the entries of searching and matched people failed: retried at the next heartbeat");
      return null;
    });
    results?.forEach(([err, kept], i) => {
      const [id, person] = held[i]!;
      // (a press meanwhile made a new entry: that one stays)
      if (!err && kept === 0 && this.held.get(id) === person) this.forget(id);
    });
  }
}

function alreadyStarted(state: PersonState): TRPCError {
  const where = state === "matched" ? "you are in a chat: press Next for another partner, or Stop" : "you are searching for a partner: wait, or press Stop";
  return new TRPCError({ code: "CONFLICT", message: `You have already started: ${where}.` });
}

function noPartner(state: PersonState): TRPCError {
  const message = state === "queued" ? "You are still searching: Next skips a partner, and you have none yet." : "You have not started random chat: press Start first.";
  return new TRPCError({ code: "PRECONDITION_FAILED", message });
}

const notYourMatch = () => new TRPCError({ code: "NOT_FOUND", message: "That is not your current match: it may have ended, or it was never yours." });

function banMessage(ban: BanNotice): string {
  const until = ban.until === null ? "permanently" : `until ${new Date(ban.until).toISOString().replace("T", " ").slice(0, 16)} UTC`;
  return `You are banned from random chat ${until}. Reason: ${ban.reason}`;
}

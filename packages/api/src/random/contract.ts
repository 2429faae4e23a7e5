// The contract between random video chat (`random/`: queue, matching, the 1:1 call) and moderation
// (`moderation/`: reports, blocks, bans, appeals, watch list, the proof-of-work challenge). Each side implements its
// half; neither reads the other's Redis keys or tables.

/** Who takes part in random chat: a signed-in user or a guest (a guest is a user row with isGuest), on a device. */
export interface RandomPerson {
  userId: string;
  /** a random id the browser keeps in localStorage (zod: 16-64 chars of [A-Za-z0-9_-]) */
  deviceId: string;
  /** the client address the server trusts (ctx.ip) */
  ip: string;
}

/** A match as the server recorded it: the only source of "who was matched with whom" (a report names a match id). */
export interface MatchRecord {
  matchId: string;
  a: RandomPerson;
  b: RandomPerson;
  /** epoch ms */
  startedAt: number;
  /** epoch ms; null while the two are still talking */
  endedAt: number | null;
}

/** Implemented by `random/`, used by `moderation/`. */
export interface RandomMatches {
  /** A match of the last 24 hours (ended or not), or null. */
  findMatch(matchId: string): Promise<MatchRecord | null>;
  /** The two are never matched again (report, block): takes effect before the next matching attempt. */
  avoidPair(a: RandomPerson, b: RandomPerson): Promise<void>;
  /** Ends the person's current match and takes them out of the queue (a ban, a hold). */
  removePerson(userId: string): Promise<void>;
}

export type BanKind = "user" | "device" | "ip";

export interface BanNotice {
  banId: string;
  kind: BanKind;
  reason: string;
  /** epoch ms; null = forever */
  until: number | null;
  /** an appeal of this ban is waiting for a moderator */
  appealPending: boolean;
}

/** What moderation says about pressing Start or Next. */
export type StartVerdict =
  | { kind: "allowed" }
  | { kind: "banned"; ban: BanNotice }
  /** the device or address is on the watch list: Start/Next needs a solved proof-of-work challenge */
  | { kind: "challenge" }
  /** held out of matching until a moderator reviews the reports against it */
  | { kind: "held" }
  | { kind: "rateLimited"; retryAfterMs: number };

/** Implemented by `moderation/`, used by `random/`. */
export interface RandomSafety {
  /** Called on every Start and Next before queueing; counts the press (token buckets, Next-loop detection). */
  checkStart(person: RandomPerson, action: "start" | "next", challengeSolution?: string): Promise<StartVerdict>;
  /** Everyone the person must never be matched with (blocks and reports either way, by user id and device id). */
  neverMatch(person: RandomPerson): Promise<{ userIds: string[]; deviceIds: string[] }>;
}

// Every Redis key and channel of random chat, in one place (moderation uses RandomMatches, never these keys).
// The matching scripts (matchScripts.ts) build the keys they touch from these same prefixes: one Redis, as the
// rest of the product (a cluster would need every key of a match in one hash slot).
//   match:queue:{region}            sorted set userId -> time queued (ms): who searches with a camera, oldest first
//   match:queue:{region}:text       the same for text-only people (matched only with each other)
//   match:person:{userId}           hash, TTL (refreshed by the node holding the person's Start): the person's state
//                                   (queued | matched | ended), name, device, address, preferences, what they accept
//                                   now (widened over time), current match and partner, node and socket
//   match:avoid:user:{userId}       set of "u:{userId}" / "d:{deviceId}", TTL: never matched with these (blocks,
//                                   reports: RandomSafety.neverMatch on Start, RandomMatches.avoidPair)
//   match:avoid:device:{deviceId}   the same for everyone on that device
//   match:pair:{userId}:{userId}    string, TTL: these two (ids in order) were matched recently, not again yet
//   match:record:{matchId}          JSON MatchRecord (+ shared interests), TTL 24 h: who was matched with whom, for
//                                   reports (RandomMatches.findMatch)
//   match:user:{userId}             pub/sub: the person's random chat events (matched, partner left, signals, ...)
//   match:active                    sorted set matchId -> started (ms): the matches going on now, for the counters
//                                   (randomStats.ts; an entry whose people expired with their node is swept there)

/** Key prefixes: the scripts in matchScripts.ts build the same keys from ids with them. */
export const randomKeyPrefixes = {
  queue: "match:queue:",
  textOnlySuffix: ":text",
  person: "match:person:",
  avoidUser: "match:avoid:user:",
  avoidDevice: "match:avoid:device:",
  pair: "match:pair:",
  record: "match:record:",
  channel: "match:user:",
  active: "match:active",
} as const;

const k = randomKeyPrefixes;
export const randomKeys = {
  queue: (region: string, textOnly: boolean) => `${k.queue}${region}${textOnly ? k.textOnlySuffix : ""}`,
  person: (userId: string) => `${k.person}${userId}`,
  avoidUser: (userId: string) => `${k.avoidUser}${userId}`,
  avoidDevice: (deviceId: string) => `${k.avoidDevice}${deviceId}`,
  recentPair: (a: string, b: string) => (a < b ? `${k.pair}${a}:${b}` : `${k.pair}${b}:${a}`),
  record: (matchId: string) => `${k.record}${matchId}`,
  channel: (userId: string) => `${k.channel}${userId}`,
  active: k.active,
} as const;

/** A person's entry lives this long without its node's heartbeat (a node that died leaves nobody waiting for long). */
export const PERSON_TTL_MS = 60_000;
/** How often a node refreshes the entries of the people whose Start it holds. */
export const PERSON_HEARTBEAT_MS = 20_000;
/** The same two people are not matched again within this time. */
export const REPEAT_PAIR_MS = 5 * 60_000;
/** Match records answer reports for this long. */
export const RECORD_TTL_MS = 24 * 3_600_000;
/** Blocks and reports copied from moderation (refreshed at every Start) are kept this long. */
export const AVOID_TTL_MS = 30 * 24 * 3_600_000;
/** How many of the longest-waiting people of one queue a matching attempt looks at. */
export const SCAN_LIMIT = 256;

// Active bans and watch-list entries: PostgreSQL holds the record, Redis mirrors the active ones
// (`ban:{kind}:{value}`, `watch:{kind}:{value}`, each expiring with what it mirrors) so a Start is checked with one
// MGET. The mirror is trusted only while MIRROR_FILLED exists: when Redis lost it (a restart without persistence,
// a flush), the next check refills the mirror from PostgreSQL before it answers; a mirror older than
// mirrorRefreshMs is refilled behind the answers (healing a mirror write that failed). A ban found in Redis is confirmed in PostgreSQL (a lifted one is dropped from
// the mirror); while PostgreSQL is unreachable the mirror's word stands. So losing Redis never unbans anyone.
import type { Redis } from "ioredis";
import type { BanKind as DbBanKind, PrismaClient, WatchKind as DbWatchKind } from "@qualmeet/db";
import { logger } from "@qualmeet/log";
import { unavailableService } from "../errors.ts";
import type { BanKind, BanNotice, RandomPerson } from "../random/contract.ts";
import { addressBlock } from "../services/clientIp.ts";
import { MIRROR_FILLED, banKey, watchKey, type WatchKind } from "./keys.ts";

export interface StoreDeps {
  db: PrismaClient;
  redis: Redis;
}

interface MirroredBan {
  id: string;
  kind: BanKind;
  reason: string;
  /** epoch ms; null = forever */
  until: number | null;
}

export interface MirroredWatch {
  id: string;
  held: boolean;
  /** epoch ms; null = until a moderator reviews it */
  until: number | null;
}

export const BAN_KINDS: Record<BanKind, DbBanKind> = { user: "USER", device: "DEVICE", ip: "IP" };
export const BAN_KIND_OF: Record<DbBanKind, BanKind> = { USER: "user", DEVICE: "device", IP: "ip" };
export const WATCH_KINDS: Record<WatchKind, DbWatchKind> = { device: "DEVICE", ip: "IP" };
const WATCH_KIND_OF: Record<DbWatchKind, WatchKind> = { DEVICE: "device", IP: "ip" };

/** What a person is checked by: their user, their device, their address block (an IPv6 client holds a /64). */
export const banTargets = (person: RandomPerson): Array<[BanKind, string]> => [
  ["user", person.userId],
  ["device", person.deviceId],
  ["ip", addressBlock(person.ip)],
];
export const watchTargets = (person: RandomPerson): Array<[WatchKind, string]> => [
  ["device", person.deviceId],
  ["ip", addressBlock(person.ip)],
];

const activeBanWhere = (now: Date) => ({ liftedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });
const activeWatchWhere = (now: Date) => ({ reviewedAt: null, OR: [{ until: null }, { until: { gt: now } }] });

const outlasts = (a: { until: number | null }, b: { until: number | null }) => b.until !== null && (a.until === null || a.until > b.until);
/** held beats watched; then the one lasting longer */
const stronger = (a: MirroredWatch, b: MirroredWatch) => (a.held !== b.held ? a.held : outlasts(a, b));

/** SET with the TTL of what it mirrors (none for forever); nothing when it already ended */
function mirrorWrite(pipeline: ReturnType<Redis["pipeline"]>, key: string, value: { until: number | null }, now: number): void {
  if (value.until === null) pipeline.set(key, JSON.stringify(value));
  else if (value.until > now) pipeline.set(key, JSON.stringify(value), "PX", value.until - now);
  else pipeline.del(key);
}

const fills = new WeakMap<Redis, Promise<void>>();

/** Writes every active ban and watch entry of PostgreSQL to Redis, then marks the mirror filled (when). */
async function fillMirror({ db, redis }: StoreDeps): Promise<void> {
  const now = new Date();
  const [bans, watches] = await Promise.all([
    db.ban.findMany({ where: activeBanWhere(now), select: { id: true, kind: true, value: true, reason: true, expiresAt: true } }),
    db.watchEntry.findMany({ where: activeWatchWhere(now), select: { id: true, kind: true, value: true, held: true, until: true } }),
  ]);
  const banByKey = new Map<string, MirroredBan>();
  for (const ban of bans) {
    const key = banKey(BAN_KIND_OF[ban.kind], ban.value);
    const mirrored = { id: ban.id, kind: BAN_KIND_OF[ban.kind], reason: ban.reason, until: ban.expiresAt?.getTime() ?? null };
    const known = banByKey.get(key);
    if (!known || outlasts(mirrored, known)) banByKey.set(key, mirrored);
  }
  const watchByKey = new Map<string, MirroredWatch>();
  for (const watch of watches) {
    const key = watchKey(WATCH_KIND_OF[watch.kind], watch.value);
    const mirrored = { id: watch.id, held: watch.held, until: watch.until?.getTime() ?? null };
    const known = watchByKey.get(key);
    if (!known || stronger(mirrored, known)) watchByKey.set(key, mirrored);
  }
  const pipeline = redis.pipeline();
  for (const [key, value] of [...banByKey, ...watchByKey]) mirrorWrite(pipeline, key, value, now.getTime());
  pipeline.set(MIRROR_FILLED, String(now.getTime()));
  await pipeline.exec();
  logger.info({ bans: banByKey.size, watches: watchByKey.size }, "moderation: mirror of bans and watch-list entries refilled from PostgreSQL");
}

/** One fill at a time per Redis connection: the checks arriving meanwhile wait for it. */
function ensureFilled(deps: StoreDeps): Promise<void> {
  let fill = fills.get(deps.redis);
  if (!fill) {
    fill = fillMirror(deps).finally(() => fills.delete(deps.redis));
    fills.set(deps.redis, fill);
  }
  return fill;
}

export interface MirroredState {
  /** the bans Redis names for the person (to be confirmed in PostgreSQL) */
  bans: MirroredBan[];
  watches: MirroredWatch[];
}

/** What the mirror says of the person: the bans on their user, device or address, and the watch entries. */
export async function mirroredState(deps: StoreDeps, person: RandomPerson, refreshMs: number): Promise<MirroredState> {
  const keys = [...banTargets(person).map(([kind, value]) => banKey(kind, value)), ...watchTargets(person).map(([kind, value]) => watchKey(kind, value))];
  let [filledAt, ...values] = await deps.redis.mget(MIRROR_FILLED, ...keys);
  if (filledAt === null) {
    await ensureFilled(deps);
    [filledAt, ...values] = await deps.redis.mget(MIRROR_FILLED, ...keys);
  } else if (Date.now() - Number(filledAt) > refreshMs) {
    // the mirror is whole but old: refreshed behind this answer (a write that failed since is healed)
    ensureFilled(deps).catch((error: unknown) => logger.warn({ err: error }, "moderation: refreshing the mirror of bans failed: the mirror stands until the next try"));
  }
  const parse = <T>(value: string | null): T[] => (value === null ? [] : [JSON.parse(value) as T]);
  return { bans: values.slice(0, 3).flatMap(parse<MirroredBan>), watches: values.slice(3).flatMap(parse<MirroredWatch>) };
}

/** Rewrites the mirror of one ban key from PostgreSQL (after a ban, a lift, or a stale key). */
export async function mirrorBanKey({ db, redis }: StoreDeps, kind: BanKind, value: string): Promise<void> {
  const now = new Date();
  const bans = await db.ban.findMany({ where: { kind: BAN_KINDS[kind], value, ...activeBanWhere(now) }, select: { id: true, reason: true, expiresAt: true } });
  const longest = bans
    .map((ban) => ({ id: ban.id, kind, reason: ban.reason, until: ban.expiresAt?.getTime() ?? null }))
    .reduce<MirroredBan | null>((best, ban) => (!best || outlasts(ban, best) ? ban : best), null);
  const pipeline = redis.pipeline();
  if (longest) mirrorWrite(pipeline, banKey(kind, value), longest, now.getTime());
  else pipeline.del(banKey(kind, value));
  await pipeline.exec();
}

/** Rewrites the mirror of one watch key from PostgreSQL (after an entry is added or reviewed). */
export async function mirrorWatchKey({ db, redis }: StoreDeps, kind: WatchKind, value: string): Promise<void> {
  const now = new Date();
  const entries = await db.watchEntry.findMany({ where: { kind: WATCH_KINDS[kind], value, ...activeWatchWhere(now) }, select: { id: true, held: true, until: true } });
  const strongest = entries
    .map((entry) => ({ id: entry.id, held: entry.held, until: entry.until?.getTime() ?? null }))
    .reduce<MirroredWatch | null>((best, entry) => (!best || stronger(entry, best) ? entry : best), null);
  const pipeline = redis.pipeline();
  if (strongest) mirrorWrite(pipeline, watchKey(kind, value), strongest, now.getTime());
  else pipeline.del(watchKey(kind, value));
  await pipeline.exec();
}

/** The active watch entries of one device or address, from PostgreSQL. */
export function activeWatchEntries(db: PrismaClient, kind: WatchKind, value: string) {
  return db.watchEntry.findMany({ where: { kind: WATCH_KINDS[kind], value, ...activeWatchWhere(new Date()) }, select: { id: true, held: true } });
}

/**
 * The ban on the person, as PostgreSQL has it, with whether an appeal of it waits; null when none is active. Asked
 * only when the mirror names a ban; a mirrored ban PostgreSQL no longer has active is dropped from the mirror.
 * While PostgreSQL is unreachable the mirror's ban stands (without knowing of an appeal).
 */
export async function confirmedBan(deps: StoreDeps, person: RandomPerson, mirrored: MirroredBan[]): Promise<BanNotice | null> {
  if (mirrored.length === 0) return null;
  const now = new Date();
  let bans;
  try {
    bans = await deps.db.ban.findMany({
      where: { AND: [{ OR: banTargets(person).map(([kind, value]) => ({ kind: BAN_KINDS[kind], value })) }, activeBanWhere(now)] },
      select: { id: true, kind: true, reason: true, expiresAt: true, appeals: { where: { status: "PENDING" }, select: { id: true } } },
    });
  } catch (error) {
    if (unavailableService(error) !== "database") throw error;
    logger.warn({ err: error, userId: person.userId, banIds: mirrored.map((b) => b.id) }, "moderation: PostgreSQL unreachable: the ban mirrored in Redis stands");
    const ban = mirrored.reduce((best, b) => (outlasts(b, best) ? b : best));
    return { banId: ban.id, kind: ban.kind, reason: ban.reason, until: ban.until, appealPending: false };
  }
  if (bans.length === 0) {
    // lifted or changed while Redis still had it: the mirror catches up
    await Promise.all(banTargets(person).map(([kind, value]) => mirrorBanKey(deps, kind, value)));
    return null;
  }
  const ban = bans.reduce((best, b) => (outlasts({ until: b.expiresAt?.getTime() ?? null }, { until: best.expiresAt?.getTime() ?? null }) ? b : best));
  return { banId: ban.id, kind: BAN_KIND_OF[ban.kind], reason: ban.reason, until: ban.expiresAt?.getTime() ?? null, appealPending: ban.appeals.length > 0 };
}

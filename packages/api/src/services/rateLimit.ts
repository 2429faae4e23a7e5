import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { serviceMetrics } from "../metrics/serviceMetrics.ts";

// Token bucket kept in one Redis hash per key (`rl:{scope}:{key}`), refilled continuously at
// capacity/window. Redis' clock is used so that every node agrees on time. One call takes tokens from each
// bucket in KEYS (ARGV: capacity, window and how many tokens are wanted, for each in order) and says how many
// it got: a busy node checks the limits of all the requests of one event-loop turn at once.
const TOKEN_BUCKETS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local verdicts = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[3 * i - 2])
  local windowMs = tonumber(ARGV[3 * i - 1])
  local wanted = tonumber(ARGV[3 * i])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil then tokens = capacity; ts = now end
  local rate = capacity / windowMs
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  local granted = math.min(wanted, math.floor(tokens))
  local retryMs = 0
  if granted >= 1 then
    tokens = tokens - granted
  else
    granted = 0
    retryMs = math.ceil((1 - tokens) / rate)
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now)
  redis.call('PEXPIRE', key, windowMs)
  verdicts[2 * i - 1] = granted
  verdicts[2 * i] = retryMs
end
return verdicts
`;

export interface RateLimitRule {
  /** e.g. "signin:ip" — becomes part of the Redis key */
  scope: string;
  /** bucket size: how many calls are allowed in a burst */
  capacity: number;
  /** time to refill the whole bucket */
  windowMs: number;
}

/** A limit of our own times RATE_LIMIT_SCALE (1 unless a deployment or a test raises every such limit at once). */
export const scaled = (rule: RateLimitRule): RateLimitRule => ({ ...rule, capacity: scaledCount(rule.capacity) });

/** A count limit of our own (not a token bucket) times RATE_LIMIT_SCALE, the same way as `scaled`. */
export const scaledCount = (count: number): number => count * env.RATE_LIMIT_SCALE;

export interface RateLimitVerdict {
  allowed: boolean;
  retryAfterMs: number;
}

type RedisWithBuckets = Redis & { tokenBuckets(...keysAndArgs: Array<string | number>): Promise<number[]> };

/**
 * Tokens a node took from a large bucket ahead of use. A bucket of 100 or more lends a tenth of itself at a time
 * for a tenth of its window: a busy key costs Redis one script call per lease instead of one per request. The
 * limit still holds across nodes (lent tokens are gone from the bucket, unused ones lapse); small buckets, where
 * every token counts (sign-ins, registrations), are asked one token at a time.
 */
interface Lease {
  tokens: number;
  expiresAt: number;
}

const LEASE_MIN_CAPACITY = 100;
const LEASE_SWEEP_MIN = 1024;
const leaseSize = (rule: RateLimitRule) => (rule.capacity >= LEASE_MIN_CAPACITY ? Math.floor(rule.capacity / 10) : 1);

interface Batch {
  keys: string[];
  args: number[];
  waiting: Array<{ resolve: (granted: number, retryAfterMs: number) => void; reject: (error: unknown) => void }>;
}

interface Limiter {
  /** the calls of the current turn, sent together when the turn's synchronous work is done */
  batch: Batch | null;
  leases: Map<string, Lease>;
  /** leases being fetched: the calls that arrive meanwhile wait for them instead of asking again */
  fetching: Map<string, Promise<RateLimitVerdict | null>>;
  /** the lease count past which lapsed leases are swept */
  sweepAt: number;
}

const limiters = new WeakMap<Redis, Limiter>();

function limiterOf(redis: Redis): Limiter {
  let limiter = limiters.get(redis);
  if (!limiter) {
    if (typeof (redis as RedisWithBuckets).tokenBuckets !== "function") redis.defineCommand("tokenBuckets", { lua: TOKEN_BUCKETS });
    limiter = { batch: null, leases: new Map(), fetching: new Map(), sweepAt: LEASE_SWEEP_MIN };
    limiters.set(redis, limiter);
  }
  return limiter;
}

function sendBatch(redis: Redis): void {
  const limiter = limiterOf(redis);
  const batch = limiter.batch!;
  limiter.batch = null;
  (redis as RedisWithBuckets).tokenBuckets(batch.keys.length, ...batch.keys, ...batch.args).then(
    (verdicts) => batch.waiting.forEach((w, i) => w.resolve(verdicts[2 * i]!, verdicts[2 * i + 1]!)),
    (error: unknown) => batch.waiting.forEach((w) => w.reject(error)),
  );
}

/** Takes up to `wanted` tokens from the bucket in Redis (with the other requests of this turn). */
function takeTokens(redis: Redis, bucket: string, rule: RateLimitRule, wanted: number): Promise<{ granted: number; retryAfterMs: number }> {
  const limiter = limiterOf(redis);
  if (!limiter.batch) {
    limiter.batch = { keys: [], args: [], waiting: [] };
    process.nextTick(sendBatch, redis);
  }
  const batch = limiter.batch;
  batch.keys.push(bucket);
  batch.args.push(rule.capacity, rule.windowMs, wanted);
  return new Promise((resolve, reject) => batch.waiting.push({ resolve: (granted, retryAfterMs) => resolve({ granted, retryAfterMs }), reject }));
}

/** Takes one token from `rule`'s bucket for `key`; a refusal is counted by the rule's scope (a name of ours). */
export async function consumeToken(redis: Redis, rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
  const verdict = await takeOne(redis, rule, key);
  if (!verdict.allowed) serviceMetrics().rateLimitRefusals.inc({ scope: rule.scope });
  return verdict;
}

async function takeOne(redis: Redis, rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
  const bucket = `rl:${rule.scope}:${key}`;
  const size = leaseSize(rule);
  if (size === 1) {
    const { granted, retryAfterMs } = await takeTokens(redis, bucket, rule, 1);
    return { allowed: granted === 1, retryAfterMs };
  }
  const limiter = limiterOf(redis);
  for (;;) {
    const lease = limiter.leases.get(bucket);
    if (lease && lease.tokens > 0 && lease.expiresAt > Date.now()) {
      lease.tokens--;
      return { allowed: true, retryAfterMs: 0 };
    }
    const pending = limiter.fetching.get(bucket);
    if (pending) {
      // the same answer as the call that asked: refused while the bucket is empty, else take from the new lease
      const refused = await pending;
      if (refused) return refused;
      continue;
    }
    const fetch = takeTokens(redis, bucket, rule, size).then(({ granted, retryAfterMs }): RateLimitVerdict | null => {
      if (granted === 0) return { allowed: false, retryAfterMs };
      keepLease(limiter, bucket, { tokens: granted, expiresAt: Date.now() + rule.windowMs / 10 });
      return null;
    });
    limiter.fetching.set(bucket, fetch);
    let refused: RateLimitVerdict | null;
    try {
      refused = await fetch;
    } finally {
      limiter.fetching.delete(bucket);
    }
    if (refused) return refused;
  }
}

/** Stores a lease; the lapsed ones of keys nobody uses any more are dropped as the map grows. */
function keepLease(limiter: Limiter, bucket: string, lease: Lease): void {
  limiter.leases.set(bucket, lease);
  if (limiter.leases.size <= limiter.sweepAt) return;
  const now = Date.now();
  for (const [key, { expiresAt }] of limiter.leases) if (expiresAt <= now) limiter.leases.delete(key);
  limiter.sweepAt = Math.max(LEASE_SWEEP_MIN, limiter.leases.size * 2);
}

export function retryMessage(what: string, retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return `Too many ${what}. Try again in ${wait}.`;
}

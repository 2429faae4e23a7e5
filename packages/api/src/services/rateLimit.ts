import type { Redis } from "ioredis";

// Token bucket kept in one Redis hash per key (`rl:{scope}:{key}`), refilled continuously at
// capacity/window. Redis' clock is used so that every node agrees on time. One call takes a token from each
// bucket in KEYS (ARGV: capacity and window of each, in order): a busy node checks the limits of all the
// requests of one event-loop turn at once.
const TOKEN_BUCKETS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local verdicts = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local windowMs = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil then tokens = capacity; ts = now end
  local rate = capacity / windowMs
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  local allowed = 0
  local retryMs = 0
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
  else
    retryMs = math.ceil((1 - tokens) / rate)
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now)
  redis.call('PEXPIRE', key, windowMs)
  verdicts[2 * i - 1] = allowed
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

export interface RateLimitVerdict {
  allowed: boolean;
  retryAfterMs: number;
}

type RedisWithBuckets = Redis & { tokenBuckets(...keysAndArgs: Array<string | number>): Promise<number[]> };

interface Batch {
  keys: string[];
  args: number[];
  waiting: Array<{ resolve: (verdict: RateLimitVerdict) => void; reject: (error: unknown) => void }>;
}

/** The calls of the current turn, per Redis client, sent together when the turn's synchronous work is done. */
const batches = new WeakMap<Redis, Batch>();

function withBuckets(redis: Redis): RedisWithBuckets {
  const r = redis as RedisWithBuckets;
  if (typeof r.tokenBuckets !== "function") redis.defineCommand("tokenBuckets", { lua: TOKEN_BUCKETS });
  return r;
}

function sendBatch(redis: Redis): void {
  const batch = batches.get(redis)!;
  batches.delete(redis);
  withBuckets(redis)
    .tokenBuckets(batch.keys.length, ...batch.keys, ...batch.args)
    .then(
      (verdicts) => batch.waiting.forEach((w, i) => w.resolve({ allowed: verdicts[2 * i] === 1, retryAfterMs: verdicts[2 * i + 1]! })),
      (error: unknown) => batch.waiting.forEach((w) => w.reject(error)),
    );
}

export function consumeToken(redis: Redis, rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
  let batch = batches.get(redis);
  if (!batch) {
    batch = { keys: [], args: [], waiting: [] };
    batches.set(redis, batch);
    process.nextTick(sendBatch, redis);
  }
  batch.keys.push(`rl:${rule.scope}:${key}`);
  batch.args.push(rule.capacity, rule.windowMs);
  const { waiting } = batch;
  return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

export function retryMessage(what: string, retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return `Too many ${what}. Try again in ${wait}.`;
}

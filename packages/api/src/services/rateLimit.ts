import type { Redis } from "ioredis";

// Token bucket kept in one Redis hash per key (`rl:{scope}:{key}`), refilled continuously at
// capacity/window. Redis' clock is used so that every node agrees on time.
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
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
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], windowMs)
return {allowed, retryMs}
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

type RedisWithBucket = Redis & { tokenBucket(key: string, capacity: number, windowMs: number): Promise<[number, number]> };

function withBucket(redis: Redis): RedisWithBucket {
  const r = redis as RedisWithBucket;
  if (typeof r.tokenBucket !== "function") redis.defineCommand("tokenBucket", { numberOfKeys: 1, lua: TOKEN_BUCKET });
  return r;
}

export async function consumeToken(redis: Redis, rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
  const [allowed, retryAfterMs] = await withBucket(redis).tokenBucket(`rl:${rule.scope}:${key}`, rule.capacity, rule.windowMs);
  return { allowed: allowed === 1, retryAfterMs };
}

export function retryMessage(what: string, retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return `Too many ${what}. Try again in ${wait}.`;
}

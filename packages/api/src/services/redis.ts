import { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { serviceMetrics } from "../metrics/serviceMetrics.ts";

// Commands fail within seconds while Redis is down (instead of queueing forever), so callers can answer
// with a clear error; the client keeps reconnecting and everything recovers when Redis is back.
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Without a listener ioredis prints every failed reconnect as an unhandled error event; the calls that fail
  // meanwhile say so (SERVICE_UNAVAILABLE, /healthz), so the retries are only worth a debug line.
  redis.on("error", (err) => {
    serviceMetrics().dependencyErrors.inc({ dependency: "redis" });
    logger.debug({ err, connection: name }, "redis: connection error, reconnecting");
  });
  return redis;
}

const globalForRedis = globalThis as unknown as { qualmeetRedis?: Redis };

/** The process-wide command connection, created on first use from REDIS_URL. */
export function getRedis(): Redis {
  if (!globalForRedis.qualmeetRedis) {
    globalForRedis.qualmeetRedis = createRedis(env.REDIS_URL, `qualmeet-${process.pid}`);
  }
  return globalForRedis.qualmeetRedis;
}

export async function isRedisUp(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  }
}

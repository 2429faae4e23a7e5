import { Redis, type RedisOptions } from "ioredis";
import { env, EnvError, type RedisAddress } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { serviceMetrics } from "../metrics/serviceMetrics.ts";

// Commands fail within seconds while Redis is down (instead of queueing forever), so callers can answer
// with a clear error; the client keeps reconnecting and everything recovers when Redis is back.
const common: RedisOptions = {
  maxRetriesPerRequest: 1,
  commandTimeout: 3000,
  connectTimeout: 3000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  // After a failover an old master that comes back is a replica: a write sent to it before the connection has
  // followed the Sentinels answers READONLY. Reconnecting (through the Sentinels, to the new master) and resending
  // that command (2) turns it into a short delay instead of an error.
  reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
};

/**
 * Every Redis connection of the servers, scripts and tests is made here, from one address: a URL, or the
 * Sentinels (ioredis asks them for the master, follows +switch-master at once with `failoverDetector`, and
 * re-subscribes pub/sub channels after reconnecting).
 */
export function createRedis(address: RedisAddress, name: string, options: RedisOptions = {}): Redis {
  const redis =
    "url" in address
      ? new Redis(address.url, { ...common, connectionName: name, ...options })
      : new Redis({
          ...common,
          connectionName: name,
          sentinels: address.sentinels,
          name: address.name,
          password: address.password,
          sentinelPassword: address.sentinelPassword,
          failoverDetector: true,
          // keep asking the Sentinels while none answers (a rolling restart of them) instead of giving up
          sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
          ...options,
        });
  if (!("url" in address)) reconnectAfterFailoverEnd(redis, name);
  // Without a listener ioredis prints every failed reconnect as an unhandled error event; the calls that fail
  // meanwhile say so (SERVICE_UNAVAILABLE, /healthz), so the retries are only worth a debug line.
  redis.on("error", (err) => {
    serviceMetrics().dependencyErrors.inc({ dependency: "redis" });
    logger.debug({ err, connection: name }, "redis: connection error, reconnecting");
  });
  return redis;
}

/**
 * ioredis ends a Sentinel connection for good when a failover notice (+switch-master) closes it while it is still
 * asking the Sentinels for the master: the connector answers "Connection is closed", the client's status becomes
 * "end" and every later command fails at once (both nodes of the failover test lost Redis until restarted). A
 * connection that ends without our own `disconnect()` or `quit()` connects again through the Sentinels; ioredis
 * restores its subscriptions once it is ready.
 */
function reconnectAfterFailoverEnd(redis: Redis, name: string): void {
  let closedByUs = false;
  const disconnect = redis.disconnect.bind(redis);
  redis.disconnect = (reconnect = false) => {
    if (!reconnect) closedByUs = true;
    disconnect(reconnect);
  };
  const quit = redis.quit.bind(redis);
  redis.quit = ((...args: Parameters<Redis["quit"]>) => {
    closedByUs = true;
    return quit(...args);
  }) as Redis["quit"];
  redis.on("end", () => {
    if (closedByUs) return;
    logger.warn({ connection: name }, "redis: the connection ended during a failover; connecting again through the Sentinels");
    setTimeout(() => {
      if (!closedByUs && redis.status === "end") redis.connect().catch((err: unknown) => logger.debug({ err, connection: name }, "redis: connecting again failed, retrying"));
    }, 200).unref();
  });
}

/** Whether writes on this connection have replicas to wait for (a Sentinel deployment always has). */
export const hasReplicas = (redis: Redis): boolean => (redis.options.sentinels?.length ?? 0) > 0;

/**
 * Checked at start: every Sentinel answers and knows the master's name. An operator's typo (a wrong port, a
 * wrong name) otherwise shows only as connections retrying forever. Throws an EnvError naming the variable
 * and the entries at fault; a URL is not checked here (its server may come up later, /healthz says so).
 */
export async function checkRedisAddress(address: RedisAddress): Promise<void> {
  if ("url" in address) return;
  const answers = await Promise.all(
    address.sentinels.map(async ({ host, port }) => {
      const sentinel = createRedis({ url: `redis://${host.includes(":") ? `[${host}]` : host}:${port}` }, "qualmeet-sentinel-check", {
        password: address.sentinelPassword,
        lazyConnect: true,
        connectTimeout: 2000,
        commandTimeout: 2000,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      // connect() only says "Connection is closed": the cause (ECONNREFUSED, a timeout, a wrong password) comes as an event
      let cause = "";
      sentinel.on("error", (err: Error) => (cause = err.message));
      try {
        await sentinel.connect();
        const master = (await sentinel.call("SENTINEL", "get-master-addr-by-name", address.name)) as string[] | null;
        return { entry: `${host}:${port}`, master, problem: null };
      } catch (error) {
        return { entry: `${host}:${port}`, master: null, problem: cause || (error as Error).message };
      } finally {
        sentinel.disconnect();
      }
    }),
  );
  const answered = answers.filter((a) => a.problem === null);
  if (answered.length === 0) {
    throw new EnvError([`REDIS_SENTINELS: no Sentinel answered (${answers.map((a) => `${a.entry}: ${a.problem}`).join("; ")})`]);
  }
  if (!answered.some((a) => a.master)) {
    throw new EnvError([`REDIS_SENTINEL_NAME: no Sentinel knows a master named '${address.name}' (asked ${answered.map((a) => a.entry).join(", ")})`]);
  }
  for (const a of answers) if (a.problem) logger.warn({ sentinel: a.entry, err: a.problem }, "redis: a Sentinel of REDIS_SENTINELS did not answer at start");
}

const globalForRedis = globalThis as unknown as { qualmeetRedis?: Redis };

/** The process-wide command connection, created on first use from the configured address. */
export function getRedis(): Redis {
  if (!globalForRedis.qualmeetRedis) {
    globalForRedis.qualmeetRedis = createRedis(env.REDIS, `qualmeet-${process.pid}`);
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

// The chat background work of a realtime node: its consumer of the chat outbox (PostgreSQL writes with
// retries), the ringing calls' timeouts and the end of calls whose meeting emptied. Every node runs one;
// the work is shared through Redis (consumer group, sorted set), so any node may die.
import { createRedis } from "@qualmeet/api";
import { ChatPersister, endFinishedCalls, expireRinging } from "@qualmeet/api/realtime";
import type { RedisAddress } from "@qualmeet/config";
import type { PrismaClient } from "@qualmeet/db";
import { logger } from "@qualmeet/log";

const RING_SWEEP_MS = 500;
const CALL_END_SWEEP_MS = 5_000;

export async function startChatPersister(config: { db: PrismaClient; redis: RedisAddress; consumer: string }) {
  const { db } = config;
  // the persister blocks in XREADGROUP: a connection of its own, apart from the calls' one
  const streamRedis = createRedis(config.redis, `qualmeet-chat-persister-${config.consumer}`);
  const redis = createRedis(config.redis, `qualmeet-chat-calls-${config.consumer}`);
  const persister = new ChatPersister({ db, redis: streamRedis, consumer: config.consumer });
  persister.start();
  const log = (what: string) => (err: unknown) => logger.error({ err }, `realtime: ${what} failed (retried on the next sweep)`);
  const rings = setInterval(() => void expireRinging({ db, redis }).catch(log("call timeouts")), RING_SWEEP_MS);
  const ends = setInterval(() => void endFinishedCalls({ db, redis }).catch(log("call ends")), CALL_END_SWEEP_MS);
  return {
    persister,
    async stop() {
      clearInterval(rings);
      clearInterval(ends);
      await persister.stop();
      streamRedis.disconnect();
      redis.disconnect();
    },
  };
}

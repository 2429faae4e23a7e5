// The webhook worker of a realtime node (packages/api/src/webhooks/worker.ts): fan-out of events to deliveries and
// the signed sends, shared with the other nodes through Redis. It uses the node's Prisma client.
import { createRedis } from "@qualmeet/api";
import { WebhookWorker } from "@qualmeet/api/realtime";
import type { RedisAddress } from "@qualmeet/config";
import type { PrismaClient } from "@qualmeet/db";

export function startWebhookWorker(config: { db: PrismaClient; redis: RedisAddress; consumer: string }) {
  // the fan-out blocks in XREADGROUP: a connection of its own
  const streamRedis = createRedis(config.redis, `qualmeet-webhook-fanout-${config.consumer}`);
  const redis = createRedis(config.redis, `qualmeet-webhook-sender-${config.consumer}`);
  const worker = new WebhookWorker({ db: config.db, streamRedis, redis, consumer: config.consumer });
  worker.start();
  return {
    async stop() {
      await worker.stop();
      streamRedis.disconnect();
      redis.disconnect();
    },
  };
}

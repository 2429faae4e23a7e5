// GET /healthz: whether this node can serve (its database and Redis), to anyone; what it runs (node id, meetings
// and their counts, mediasoup worker load) only with the operators' token (HEALTH_DETAILS_TOKEN).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import { isRedisUp, mayReadHealthDetails } from "@qualmeet/api";
import type { MeetingService } from "@qualmeet/api/realtime";
import { isDatabaseUp, type PrismaClient } from "@qualmeet/db";
import type { WorkerPool } from "@qualmeet/media";

export interface HealthSources {
  nodeId: string;
  db: PrismaClient;
  redis: Redis;
  pool: WorkerPool | null;
  meetings: MeetingService;
}

export async function serveHealth(req: IncomingMessage, res: ServerResponse, { nodeId, db, redis, pool, meetings }: HealthSources): Promise<void> {
  const [database, redisUp] = await Promise.all([isDatabaseUp(db), isRedisUp(redis)]);
  const ok = database && redisUp;
  const health = { status: ok ? "ok" : "degraded", database: database ? "up" : "down", redis: redisUp ? "up" : "down" };
  const details = mayReadHealthDetails(req.headers.authorization)
    ? { nodeId, media: pool ? { status: "up", workers: await pool.loads(), rooms: meetings.local.stats() } : { status: "unavailable", rooms: meetings.local.stats() } }
    : {};
  res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ ...health, ...details }));
}

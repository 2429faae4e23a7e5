// The admins' live report queue: every change of the queue (a report filed, reports handled) is published on one
// Redis channel; each open queue page hears it through its realtime node and reloads the page of rows it shows.
import type { Redis } from "ioredis";
import { logger } from "@qualmeet/log";
import { REPORT_QUEUE_CHANNEL } from "./keys.ts";

export type ReportQueueEvent = { type: "filed"; reportId: string } | { type: "handled"; reportIds: string[] };

/**
 * Announces a change that is already committed. A lost announcement costs only liveness (the queue shows it at its
 * next load), so it is logged, not thrown: the report or the moderator's action stands.
 */
export async function announceQueueChange(redis: Redis, event: ReportQueueEvent): Promise<void> {
  await redis.publish(REPORT_QUEUE_CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
    logger.warn({ err: error, event }, "moderation: the report queue change was not announced: open queues show it at their next load");
  });
}

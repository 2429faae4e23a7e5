// The service's numbers that are not one node's: random chat's queue and pairs (Redis), the chat outbox backlog
// (Redis), reports waiting (PostgreSQL), whether TURN is configured. Gauges read when collected; the dashboard feed
// collects them once per tick for all of its subscribers, and issue 14 serves the same registry at /metrics.
import type { Redis } from "ioredis";
import { Gauge, Registry } from "prom-client";
import { env } from "@qualmeet/config";
import type { PrismaClient } from "@qualmeet/db";
import { outboxBacklog } from "../chat/chatPersister.ts";
import { randomActivePairs, randomQueueLength } from "../random/randomStats.ts";

export interface ClusterNumbers {
  randomQueue: number;
  randomActivePairs: number;
  chatOutboxBacklog: number;
  reportsWaiting: number;
  /** how long the oldest open report has waited, in seconds (0: none waits) */
  oldestReportWaitSeconds: number;
  turnConfigured: boolean;
}

export interface ClusterMetrics {
  registry: Registry;
  read(): Promise<ClusterNumbers>;
}

/** Without TURN, calls between networks that block direct connections fail: the operator should know. */
export const turnConfigured = () => Boolean(env.TURN_URLS && env.TURN_SECRET);

export function createClusterMetrics({ db, redis }: { db: PrismaClient; redis: Redis }): ClusterMetrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => Promise<number>) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.set(await read());
      },
    });
  // both report gauges come from one query per collection
  let reportsRead: Promise<{ waiting: number; oldest: Date | null }> | null = null;
  const reports = () =>
    (reportsRead ??= db.report
      .aggregate({ where: { status: "OPEN" }, _count: { _all: true }, _min: { createdAt: true } })
      .then((r) => ({ waiting: r._count._all, oldest: r._min.createdAt }))
      .finally(() => {
        reportsRead = null;
      }));
  gauge("qualmeet_random_queue_length", "People searching for a random chat partner", () => randomQueueLength(redis));
  gauge("qualmeet_random_active_pairs", "Random chat matches going on now", () => randomActivePairs(redis));
  gauge("qualmeet_chat_outbox_backlog", "Chat outbox entries not yet written to PostgreSQL", () => outboxBacklog(redis));
  gauge("qualmeet_reports_waiting", "Reports waiting for a moderator", async () => (await reports()).waiting);
  gauge("qualmeet_reports_oldest_wait_seconds", "How long the oldest waiting report has waited (0: none waits)", async () => {
    const { oldest } = await reports();
    return oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
  });
  gauge("qualmeet_turn_configured", "1 when a TURN relay is configured (TURN_URLS and TURN_SECRET), else 0", async () => (turnConfigured() ? 1 : 0));

  return {
    registry,
    async read() {
      const metrics = await registry.getMetricsAsJSON();
      const value = (name: string) => metrics.find((m) => m.name === name)?.values[0]?.value ?? 0;
      return {
        randomQueue: value("qualmeet_random_queue_length"),
        randomActivePairs: value("qualmeet_random_active_pairs"),
        chatOutboxBacklog: value("qualmeet_chat_outbox_backlog"),
        reportsWaiting: value("qualmeet_reports_waiting"),
        oldestReportWaitSeconds: Math.round(value("qualmeet_reports_oldest_wait_seconds")),
        turnConfigured: value("qualmeet_turn_configured") === 1,
      };
    },
  };
}

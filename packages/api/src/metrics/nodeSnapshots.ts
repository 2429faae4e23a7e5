// Each realtime node publishes its counters' snapshot to Redis every second (with a short TTL, so a node that stops
// or dies drops out by itself); any node's dashboard reads all of them. When a node's counts change it also says so
// on a channel, so dashboards read again at once instead of at their next tick.
import type { Redis } from "ioredis";
import { logger } from "@qualmeet/log";
import type { Bus } from "../services/bus.ts";
import { NODE_PUBLISH_MS, NODE_SNAPSHOT_TTL_MS, metricsKeys } from "./keys.ts";
import type { NodeMetrics, NodeSnapshot } from "./nodeMetrics.ts";

/** What a dashboard needs to hear about at once: everything but the clock and the CPU time, which always move. */
const countsOf = ({ at: _at, workers, ...counts }: NodeSnapshot) => JSON.stringify({ ...counts, workers: workers.map(({ cpuSeconds: _cpu, ...w }) => w) });

export class NodeSnapshotPublisher {
  private timer: NodeJS.Timeout | null = null;
  private lastCounts: string | null = null;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { nodeId: string; redis: Redis; bus: Bus; metrics: NodeMetrics },
    private readonly everyMs = NODE_PUBLISH_MS,
  ) {}

  async start(): Promise<void> {
    await this.publish();
    this.timer = setInterval(() => void (this.publishing = this.publish()), this.everyMs);
    this.timer.unref();
  }

  private async publish(): Promise<void> {
    const { nodeId, redis, bus, metrics } = this.deps;
    try {
      const snapshot = await metrics.snapshot();
      await redis.multi().set(metricsKeys.node(nodeId), JSON.stringify(snapshot), "PX", NODE_SNAPSHOT_TTL_MS).sadd(metricsKeys.nodes, nodeId).exec();
      const counts = countsOf(snapshot);
      if (counts !== this.lastCounts) {
        this.lastCounts = counts;
        await bus.publish(metricsKeys.changedChannel, { nodeId });
      }
    } catch (err) {
      // the dashboard shows this node's previous snapshot until it lapses (4 s), then leaves the node out
      logger.warn({ err, nodeId }, "metrics: this node's snapshot was not published (retried in 1 s)");
    }
  }

  /** The node leaves every dashboard at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.publishing;
    const { nodeId, redis, bus } = this.deps;
    await redis
      .multi()
      .del(metricsKeys.node(nodeId))
      .srem(metricsKeys.nodes, nodeId)
      .exec()
      .then(() => bus.publish(metricsKeys.changedChannel, { nodeId }))
      .catch((err: unknown) => logger.warn({ err, nodeId }, "metrics: this node's snapshot not removed on stop (it lapses within 4 s)"));
  }
}

/** The snapshots of the nodes publishing now; the ids of lapsed ones are removed from the set. */
export async function readNodeSnapshots(redis: Redis): Promise<NodeSnapshot[]> {
  const ids = (await redis.smembers(metricsKeys.nodes)).sort();
  if (ids.length === 0) return [];
  const raw = await redis.mget(...ids.map(metricsKeys.node));
  const lapsed = ids.filter((_, i) => raw[i] === null);
  if (lapsed.length > 0) await redis.srem(metricsKeys.nodes, ...lapsed);
  return raw.flatMap((json) => (json ? [JSON.parse(json) as NodeSnapshot] : []));
}

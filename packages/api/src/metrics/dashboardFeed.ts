// What adminLive.dashboard subscribers on one node read: ONE reader per node, which reads the dashboard every tick
// and at once when a node says its counts changed (changes arriving during a read coalesce into one more read),
// while anyone subscribes; every subscriber gets the same snapshot. Ten admins cost one read a second, not ten.
import type { Redis } from "ioredis";
import { logger } from "@qualmeet/log";
import type { Bus } from "../services/bus.ts";
import type { ClusterMetrics } from "./clusterMetrics.ts";
import { readDashboard, type DashboardSnapshot } from "./dashboard.ts";
import { NODE_PUBLISH_MS, metricsKeys } from "./keys.ts";
import type { NodeSnapshot } from "./nodeMetrics.ts";

type Listener = (snapshot: DashboardSnapshot) => void;

/** Where the feed's numbers come from. */
export interface DashboardSource {
  /** the dashboard now; `previous` is the nodes' snapshots of the last read (for CPU shares) */
  read(previous: NodeSnapshot[]): Promise<{ snapshot: DashboardSnapshot; nodes: NodeSnapshot[] }>;
  /** calls `changed` whenever a node says its counts changed, until the returned function is called */
  onChange(changed: () => void): Promise<() => void>;
}

/** A snapshot's content, without the time it was read at. */
const contentOf = ({ at: _at, ...content }: DashboardSnapshot) => JSON.stringify(content);

export class DashboardFeed {
  private readonly listeners = new Set<Listener>();
  private current: DashboardSnapshot | null = null;
  private previousNodes: NodeSnapshot[] = [];
  private reading = false;
  private stale = false;
  private timer: NodeJS.Timeout | null = null;
  private stopFollowing: Promise<() => void> | null = null;

  constructor(
    private readonly source: DashboardSource,
    private readonly tickMs = NODE_PUBLISH_MS,
  ) {}

  /** The feed of a realtime node: the nodes' snapshots in Redis and the service's gauges, and the nodes' change channel. */
  static of({ redis, bus, cluster }: { redis: Redis; bus: Bus; cluster: ClusterMetrics }): DashboardFeed {
    return new DashboardFeed({
      read: (previous) => readDashboard(redis, cluster, previous),
      onChange: (changed) => bus.on(metricsKeys.changedChannel, changed),
    });
  }

  /** The dashboard now, then again whenever it changes, until `signal` aborts. */
  async *watch(signal: AbortSignal | undefined): AsyncGenerator<DashboardSnapshot> {
    let latest: DashboardSnapshot | null = null;
    let wake: (() => void) | null = null;
    const stop = this.listen((snapshot) => {
      latest = snapshot;
      wake?.();
    });
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    let last: string | null = null;
    try {
      while (!signal?.aborted) {
        const snapshot: DashboardSnapshot | null = latest;
        const content = snapshot ? contentOf(snapshot) : null;
        if (!snapshot || content === last) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = null;
          continue;
        }
        last = content;
        yield snapshot;
      }
    } finally {
      stop();
    }
  }

  private listen(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.follow();
    if (this.current) listener(this.current);
    else this.read();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unfollow();
    };
  }

  private follow(): void {
    this.timer = setInterval(() => this.read(), this.tickMs);
    this.timer.unref();
    this.stopFollowing = this.source.onChange(() => this.read());
    this.stopFollowing.catch((err: unknown) => logger.warn({ err }, "metrics: not following nodes' changes: the dashboard updates every second only"));
  }

  /** With nobody watching nothing is read, and the last snapshot would go stale. */
  private unfollow(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // a failure to follow was logged when following began
    void this.stopFollowing?.then((off) => off()).catch(() => undefined);
    this.stopFollowing = null;
    this.current = null;
    this.previousNodes = [];
  }

  private read(): void {
    if (this.listeners.size === 0) return;
    if (this.reading) {
      this.stale = true;
      return;
    }
    this.reading = true;
    this.source
      .read(this.previousNodes)
      .then(({ snapshot, nodes }) => {
        if (this.listeners.size === 0) return;
        this.current = snapshot;
        this.previousNodes = nodes;
        for (const listener of this.listeners) listener(snapshot);
      })
      .catch((err: unknown) => logger.warn({ err }, "metrics: reading the dashboard failed: its subscribers keep the previous numbers until the next tick"))
      .finally(() => {
        this.reading = false;
        if (this.stale) {
          this.stale = false;
          this.read();
        }
      });
  }
}

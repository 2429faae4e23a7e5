import { createClusterMetrics } from "../../metrics/clusterMetrics.ts";
import { readDashboard, type DashboardSnapshot } from "../../metrics/dashboard.ts";
import type { Context } from "../../trpc.ts";

/**
 * The admin dashboard as it is now, read as adminLive.dashboard reads it (the nodes' snapshots in Redis, the
 * service's gauges): the page's first paint, before its live feed connects.
 */
export async function overviewHandler({ ctx }: { ctx: Context }): Promise<DashboardSnapshot> {
  const { snapshot } = await readDashboard(ctx.redis, createClusterMetrics(ctx));
  return snapshot;
}

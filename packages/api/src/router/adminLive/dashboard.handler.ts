// `adminLive.dashboard`: the admin dashboard's numbers now, then again whenever they change (read once a second, and
// at once when a node's counts change). Every subscriber on a node shares one reader (metrics/dashboardFeed.ts).
import type { DashboardSnapshot } from "../../metrics/dashboard.ts";
import { realtimeServices, type Context } from "../../trpc.ts";

export async function* dashboardHandler({ ctx, signal }: { ctx: Context; signal: AbortSignal | undefined }): AsyncGenerator<DashboardSnapshot> {
  yield* realtimeServices(ctx).dashboard.watch(signal);
}

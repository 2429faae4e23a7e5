// `adminLive.dashboard`: the admin dashboard's numbers now, then again whenever they change (read once a second, and
// at once when a node's counts change). Every subscriber on a node shares one reader (metrics/dashboardFeed.ts).
import type { DashboardSnapshot } from "../../metrics/dashboard.ts";
import { realtimeServices, type Context } from "../../trpc.ts";
import { whileAdmin } from "./whileAdmin.ts";

export const dashboardHandler = ({ ctx, signal }: { ctx: Context; signal: AbortSignal | undefined }): AsyncGenerator<DashboardSnapshot> =>
  whileAdmin(ctx, realtimeServices(ctx).dashboard.watch(signal));

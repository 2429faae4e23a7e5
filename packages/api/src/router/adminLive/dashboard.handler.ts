// `adminLive.dashboard`: the admin dashboard's numbers now, then again whenever they change (read once a second, and
// at once when a node's counts change). Every subscriber on a node shares one reader (metrics/dashboardFeed.ts).
import { TRPCError } from "@trpc/server";
import type { DashboardSnapshot } from "../../metrics/dashboard.ts";
import { loadSessionUser, realtimeServices, type Context } from "../../trpc.ts";

/** A subscription outlives the role check of its start: the role is read again this often while numbers flow. */
export const ADMIN_RECHECK_MS = 10_000;

export async function* dashboardHandler({ ctx, signal }: { ctx: Context; signal: AbortSignal | undefined }): AsyncGenerator<DashboardSnapshot> {
  let checkedAt = Date.now();
  for await (const snapshot of realtimeServices(ctx).dashboard.watch(signal)) {
    if (Date.now() - checkedAt >= ADMIN_RECHECK_MS) {
      // an admin demoted (or deleted) since the subscription began gets no more numbers
      const user = await loadSessionUser(ctx);
      if (user?.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
      checkedAt = Date.now();
    }
    yield snapshot;
  }
}

import type { Metadata } from "next";
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { LiveDashboard } from "@/components/admin/dashboard/LiveDashboard";
import { requireAdmin } from "@/server/admin";
import { serverCaller } from "@/server/session";

export const metadata: Metadata = { title: "Dashboard" };

/** /admin: the live dashboard. The first numbers come with the page; the realtime feed keeps them current. */
export default async function AdminPage() {
  // Nothing of the console is rendered or fetched for anyone else: 403 with app/forbidden.tsx.
  await requireAdmin("/admin");
  const first = await (await serverCaller()).admin.overview().catch((err: unknown) => {
    // the live feed brings the numbers once it connects; the page shows that it is loading them meanwhile
    logger.warn({ err }, "admin: the dashboard's first numbers could not be read for the page");
    return null;
  });
  return <LiveDashboard initial={first} realtimeUrl={env.REALTIME_PUBLIC_URL} />;
}

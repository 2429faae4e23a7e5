import type { Metadata } from "next";
import { env } from "@qualmeet/config";
import { ReportQueue } from "@/components/admin/moderation/ReportQueue";
import { requireAdmin } from "@/server/admin";

export const metadata: Metadata = { title: "Reports" };

/** /admin/reports: the random-chat report queue, live. */
export default async function AdminReportsPage() {
  await requireAdmin("/admin/reports");
  return <ReportQueue realtimeUrl={env.REALTIME_PUBLIC_URL} />;
}

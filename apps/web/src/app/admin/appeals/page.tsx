import type { Metadata } from "next";
import { AppealsQueue } from "@/components/admin/moderation/AppealsQueue";
import { requireAdmin } from "@/server/admin";

export const metadata: Metadata = { title: "Appeals" };

/** /admin/appeals: the appeals of random-chat bans, with each ban and its reports. */
export default async function AdminAppealsPage() {
  await requireAdmin("/admin/appeals");
  return <AppealsQueue />;
}

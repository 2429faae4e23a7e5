import type { Metadata } from "next";
import { BansList } from "@/components/admin/moderation/BansList";
import { requireAdmin } from "@/server/admin";

export const metadata: Metadata = { title: "Bans" };

/** /admin/bans: every random-chat ban, searchable; lifting one. */
export default async function AdminBansPage() {
  await requireAdmin("/admin/bans");
  return <BansList />;
}

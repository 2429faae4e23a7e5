import type { Metadata } from "next";
import { TokensList } from "@/components/admin/TokensList";
import { requireAdmin } from "@/server/admin";

export const metadata: Metadata = { title: "API tokens" };

/** /admin/tokens: every user's personal access tokens, newest first; revoking one. */
export default async function AdminTokensPage() {
  await requireAdmin("/admin/tokens");
  return <TokensList />;
}

import type { Metadata } from "next";
import { WebhooksList } from "@/components/admin/WebhooksList";
import { requireAdmin } from "@/server/admin";

export const metadata: Metadata = { title: "Webhooks" };

/** /admin/webhooks: every user's webhook endpoints with their delivery logs; disabling one. */
export default async function AdminWebhooksPage() {
  await requireAdmin("/admin/webhooks");
  return <WebhooksList />;
}

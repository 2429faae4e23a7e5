"use client";

import Link from "next/link";
import { trpc } from "@/lib/trpc";

/**
 * How an owner learns that an endpoint of theirs was disabled (it kept failing, or an administrator stopped it): a
 * notice on the home page until they enable it again or delete it on /settings/webhooks.
 */
export function DisabledWebhooksNotice() {
  const list = trpc.webhooks.list.useQuery();
  const disabled = list.data?.filter((endpoint) => endpoint.disabledAt) ?? [];
  if (disabled.length === 0) return null;
  return (
    <section className="card border-red-300 bg-red-50" aria-label="Disabled webhook endpoints">
      <p role="alert" className="text-sm text-red-900">
        {disabled.length === 1 ? "A webhook endpoint of yours was disabled" : `${disabled.length} webhook endpoints of yours were disabled`}:{" "}
        {disabled.map((endpoint) => (
          <span key={endpoint.id} className="block font-mono text-xs [overflow-wrap:anywhere]">
            {endpoint.url}: {endpoint.disabledReason}
          </span>
        ))}
        <Link href="/settings/webhooks" className="link">
          Review your webhooks
        </Link>
      </p>
    </section>
  );
}

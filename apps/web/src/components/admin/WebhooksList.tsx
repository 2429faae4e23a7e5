"use client";

import { useId, useState } from "react";
import type { RouterOutputs } from "@qualmeet/api";
import { errorMessage, trpc } from "@/lib/trpc";
import { DeliveryTable } from "../webhooks/DeliveryTable";
import { EndpointHeading } from "../webhooks/EndpointHeading";
import { ReasonAction } from "./ReasonAction";

type Endpoint = RouterOutputs["admin"]["webhooks"]["list"]["items"][number];
const PAGE = 25;

function EndpointRow({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => Promise<void> }) {
  const titleId = `admin-webhook-${endpoint.id}-title`;
  const [showLog, setShowLog] = useState(false);
  const disable = trpc.admin.webhooks.disable.useMutation({ onSuccess: onChanged });
  const deliveries = trpc.admin.webhooks.deliveries.useInfiniteQuery({ endpointId: endpoint.id }, { enabled: showLog, getNextPageParam: (last) => last.nextCursor });
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={titleId}>
      <EndpointHeading endpoint={endpoint} titleId={titleId} owner={endpoint.user.name} />
      <div className="mt-2 flex flex-wrap items-start gap-2">
        <button type="button" className="btn-secondary" aria-expanded={showLog} onClick={() => setShowLog((s) => !s)} aria-label={`Deliveries to ${endpoint.url}`}>
          {showLog ? "Hide deliveries" : "Deliveries"}
        </button>
        {endpoint.enabled ? (
          <ReasonAction
            label="Disable"
            accessibleLabel={`Disable ${endpoint.user.name}'s endpoint ${endpoint.url}`}
            confirmLabel="Disable the endpoint"
            danger
            doneMessage="Endpoint disabled; its owner sees why."
            run={(reason) => disable.mutateAsync({ endpointId: endpoint.id, reason })}
          />
        ) : null}
      </div>
      {showLog ? <DeliveryTable query={deliveries} label={`Deliveries to ${endpoint.url}, newest first`} /> : null}
    </li>
  );
}

/** Every user's webhook endpoints, newest first, with their delivery logs; disabling one. */
export function WebhooksList() {
  const id = useId();
  const utils = trpc.useUtils();
  const query = trpc.admin.webhooks.list.useInfiniteQuery({ limit: PAGE }, { getNextPageParam: (last) => last.nextCursor });
  const endpoints = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
        Webhooks
      </h1>
      {query.error ? (
        <p role="alert" className="field-error mt-4">
          {errorMessage(query.error)}
        </p>
      ) : null}
      {query.isPending ? <p className="mt-4 text-sm text-slate-600">Loading endpoints…</p> : null}
      {query.isSuccess && endpoints.length === 0 ? <p className="mt-4 text-sm text-slate-600">No webhook endpoints.</p> : null}
      <ul className="mt-4 flex flex-col gap-3" aria-label="Webhook endpoints, newest first">
        {endpoints.map((endpoint) => (
          <EndpointRow key={endpoint.id} endpoint={endpoint} onChanged={() => utils.admin.webhooks.list.invalidate()} />
        ))}
      </ul>
      {query.hasNextPage ? (
        <button type="button" className="btn-secondary mt-4" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load older endpoints
        </button>
      ) : null}
    </section>
  );
}

"use client";

import type { RouterOutputs } from "@qualmeet/api";
import { errorMessage } from "@/lib/trpc";

export type DeliveryPage = RouterOutputs["webhooks"]["deliveries"];
type Delivery = DeliveryPage["items"][number];

const STATUS_TEXT: Record<Delivery["status"], string> = { PENDING: "retrying", SUCCEEDED: "delivered", FAILED: "failed" };

function outcome(d: Delivery): string {
  if (d.attempts === 0) return "not sent yet";
  const answer = d.lastStatus ? `HTTP ${d.lastStatus}` : "no answer";
  return d.lastError && d.status !== "SUCCEEDED" ? `${answer}: ${d.lastError}` : answer;
}

/** One endpoint's deliveries, newest first: the event, where it stands, attempts, the last answer and its latency. */
export function DeliveryTable({
  query,
  label,
}: {
  query: { data?: { pages: DeliveryPage[] }; error: unknown; isPending: boolean; hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  label: string;
}) {
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="mt-3">
      {query.error ? (
        <p role="alert" className="field-error">
          {errorMessage(query.error)}
        </p>
      ) : null}
      {query.isPending ? <p className="text-sm text-slate-600">Loading deliveries…</p> : null}
      {!query.isPending && items.length === 0 ? <p className="text-sm text-slate-600">No deliveries yet.</p> : null}
      {items.length ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" aria-label={label}>
            <thead className="text-slate-600">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Event
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Status
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Attempts
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Last answer
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Latency
                </th>
                <th scope="col" className="py-1 font-medium">
                  When
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} className="border-t border-slate-200 align-top [overflow-wrap:anywhere]" data-delivery-status={d.status}>
                  <td className="py-1 pr-3 font-mono text-xs">{d.eventType}</td>
                  <td className="py-1 pr-3">
                    {STATUS_TEXT[d.status]}
                    {d.status === "PENDING" && d.nextAttemptAt ? <span className="block text-xs text-slate-500">next {d.nextAttemptAt.toLocaleTimeString()}</span> : null}
                  </td>
                  <td className="py-1 pr-3">{d.attempts}</td>
                  <td className="py-1 pr-3">{outcome(d)}</td>
                  <td className="py-1 pr-3">{d.latencyMs === null ? "—" : `${d.latencyMs} ms`}</td>
                  <td className="py-1">{d.createdAt.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {query.hasNextPage ? (
        <button type="button" className="btn-secondary mt-2" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load older deliveries
        </button>
      ) : null}
    </div>
  );
}

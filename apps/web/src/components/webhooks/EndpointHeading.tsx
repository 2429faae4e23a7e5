"use client";

import { WEBHOOK_EVENT_LABELS, type WebhookEventType } from "@qualmeet/api/webhook-events";

/** What both lists (the owner's and the admins') show of an endpoint. */
export interface EndpointSummary {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

/** An endpoint's URL, what it receives, and (when disabled) when and why, as an alert. */
export function EndpointHeading({ endpoint, titleId, owner }: { endpoint: EndpointSummary; titleId: string; owner?: string }) {
  return (
    <>
      <h3 id={titleId} className="font-mono text-sm font-semibold">
        {endpoint.url}
        {owner ? <span className="font-sans font-normal text-slate-600"> of {owner}</span> : null}
      </h3>
      {endpoint.description ? <p className="text-sm text-slate-700">{endpoint.description}</p> : null}
      <p className="text-sm text-slate-600" title={endpoint.events.map((e) => WEBHOOK_EVENT_LABELS[e]).join("\n")}>
        Events: <span className="font-mono text-xs">{endpoint.events.join(", ")}</span>
      </p>
      {endpoint.enabled ? (
        <p className="text-sm text-green-800">Enabled · created {endpoint.createdAt.toLocaleString()}</p>
      ) : (
        <p role="alert" className="text-sm text-red-800">
          Disabled {endpoint.disabledAt ? endpoint.disabledAt.toLocaleString() : ""}
          {endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ""}
        </p>
      )}
    </>
  );
}

"use client";

import { useId, useState } from "react";
import type { RouterOutputs } from "@qualmeet/api";
import { ADMIN_ONLY_WEBHOOK_EVENTS, WEBHOOK_EVENTS, WEBHOOK_EVENT_LABELS, type WebhookEventType } from "@qualmeet/api/webhook-events";
import { errorMessage, trpc } from "@/lib/trpc";
import { DeliveryTable } from "../webhooks/DeliveryTable";
import { EndpointHeading } from "../webhooks/EndpointHeading";
import { SecretShownOnce } from "./SecretShownOnce";

type Endpoint = RouterOutputs["webhooks"]["list"][number];

function CreateEndpointForm({ isAdmin, onCreated }: { isAdmin: boolean; onCreated: (url: string, secret: string) => Promise<void> }) {
  const id = useId();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const create = trpc.webhooks.create.useMutation();
  const offered = WEBHOOK_EVENTS.filter((event) => isAdmin || !ADMIN_ONLY_WEBHOOK_EVENTS.includes(event));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Add an endpoint
      </h2>
      <form
        className="mt-3 flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            { url, events, description: description.trim() || undefined },
            {
              onSuccess: async ({ endpoint, secret }) => {
                setUrl("");
                setDescription("");
                setEvents([]);
                await onCreated(endpoint.url, secret);
              },
            },
          );
        }}
      >
        <div>
          <label htmlFor={`${id}-url`} className="field-label">
            Endpoint URL
          </label>
          <input
            id={`${id}-url`}
            className="field-input font-mono"
            type="url"
            placeholder="https://hooks.example.com/qualmeet"
            value={url}
            maxLength={2048}
            required
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor={`${id}-description`} className="field-label">
            Description (optional)
          </label>
          <input id={`${id}-description`} className="field-input" value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset>
          <legend className="field-label">Events</legend>
          {offered.map((event) => (
            <label key={event} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={events.includes(event)} onChange={(e) => setEvents((s) => (e.target.checked ? [...s, event] : s.filter((x) => x !== event)))} />
              {WEBHOOK_EVENT_LABELS[event]} <span className="font-mono text-xs text-slate-500">{event}</span>
            </label>
          ))}
        </fieldset>
        {create.error ? (
          <p role="alert" className="field-error">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <button type="submit" className="btn-primary self-start" disabled={create.isPending}>
          Add endpoint
        </button>
      </form>
    </section>
  );
}

function EndpointItem({ endpoint, onChanged, onSecret }: { endpoint: Endpoint; onChanged: () => Promise<void>; onSecret: (url: string, secret: string) => void }) {
  const titleId = `webhook-${endpoint.id}-title`;
  const [showLog, setShowLog] = useState(false);
  const update = trpc.webhooks.update.useMutation({ onSuccess: onChanged });
  const remove = trpc.webhooks.delete.useMutation({ onSuccess: onChanged });
  const rotate = trpc.webhooks.rotateSecret.useMutation({ onSuccess: ({ secret }) => onSecret(endpoint.url, secret) });
  const utils = trpc.useUtils();
  const sendTest = trpc.webhooks.sendTest.useMutation({ onSuccess: () => utils.webhooks.deliveries.invalidate({ endpointId: endpoint.id }) });
  const deliveries = trpc.webhooks.deliveries.useInfiniteQuery(
    { endpointId: endpoint.id },
    { enabled: showLog, getNextPageParam: (last) => last.nextCursor, refetchInterval: showLog ? 3000 : false },
  );
  const failure = [update, remove, rotate, sendTest].find((m) => m.error)?.error;
  const busy = [update, remove, rotate, sendTest].some((m) => m.isPending);
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={titleId} data-webhook-id={endpoint.id}>
      <EndpointHeading endpoint={endpoint} titleId={titleId} />
      {failure ? (
        <p role="alert" className="field-error">
          {errorMessage(failure)}
        </p>
      ) : null}
      {sendTest.isSuccess ? (
        <p role="status" className="text-sm text-green-800">
          Test event queued.
        </p>
      ) : null}
      <div className="mt-2 flex flex-wrap gap-2">
        <button type="button" className="btn-secondary" aria-expanded={showLog} onClick={() => setShowLog((s) => !s)} aria-label={`Deliveries to ${endpoint.url}`}>
          {showLog ? "Hide deliveries" : "Deliveries"}
        </button>
        {endpoint.enabled ? (
          <button
            type="button"
            className="btn-secondary"
            disabled={busy}
            onClick={() => sendTest.mutate({ endpointId: endpoint.id })}
            aria-label={`Send a test event to ${endpoint.url}`}
          >
            Send test
          </button>
        ) : null}
        <button
          type="button"
          className="btn-secondary"
          disabled={busy}
          onClick={() => update.mutate({ endpointId: endpoint.id, enabled: !endpoint.enabled })}
          aria-label={`${endpoint.enabled ? "Disable" : "Enable"} ${endpoint.url}`}
        >
          {endpoint.enabled ? "Disable" : "Enable"}
        </button>
        <button
          type="button"
          className="btn-secondary"
          disabled={busy}
          onClick={() => rotate.mutate({ endpointId: endpoint.id })}
          aria-label={`Rotate the signing secret of ${endpoint.url}`}
        >
          Rotate secret
        </button>
        <button type="button" className="btn-danger" disabled={busy} onClick={() => remove.mutate({ endpointId: endpoint.id })} aria-label={`Delete ${endpoint.url}`}>
          Delete
        </button>
      </div>
      {showLog ? <DeliveryTable query={deliveries} label={`Deliveries to ${endpoint.url}, newest first`} /> : null}
    </li>
  );
}

/** The account's webhook endpoints: a form to add one, its signing secret once, and the list with delivery logs. */
export function Webhooks({ isAdmin }: { isAdmin: boolean }) {
  const id = useId();
  const utils = trpc.useUtils();
  const list = trpc.webhooks.list.useQuery();
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const refresh = () => utils.webhooks.list.invalidate();
  return (
    <>
      <section className="card" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
          Webhooks
        </h1>
        <p className="mt-2 text-slate-600">
          QualMeet POSTs the events you choose to your URL as JSON, signed in the <code>QualMeet-Signature</code> header with the endpoint&apos;s secret (verify it with{" "}
          <code>@qualmeet/webhook-signature</code>). Answer with a 2xx status: failed deliveries are retried for 24 hours, and an endpoint that keeps failing is disabled.
        </p>
      </section>
      {secret ? (
        <SecretShownOnce
          title={`Signing secret of ${secret.url}`}
          warning="Your receiver needs it to verify deliveries; anyone holding it can forge them."
          label="Signing secret"
          secret={secret.secret}
          testId="new-webhook-secret"
          onDone={() => setSecret(null)}
        />
      ) : null}
      <CreateEndpointForm
        isAdmin={isAdmin}
        onCreated={async (url, value) => {
          setSecret({ url, secret: value });
          await refresh();
        }}
      />
      <section className="card" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`} className="text-lg font-semibold">
          Your endpoints
        </h2>
        {list.error ? (
          <p role="alert" className="field-error mt-2">
            {errorMessage(list.error)}
          </p>
        ) : null}
        {list.isPending ? <p className="mt-2 text-sm text-slate-600">Loading endpoints…</p> : null}
        {list.data?.length === 0 ? <p className="mt-2 text-sm text-slate-600">No endpoints yet.</p> : null}
        <ul className="mt-3 flex flex-col gap-3" aria-label="Your webhook endpoints, newest first">
          {list.data?.map((endpoint) => (
            <EndpointItem key={endpoint.id} endpoint={endpoint} onChanged={refresh} onSecret={(url, value) => setSecret({ url, secret: value })} />
          ))}
        </ul>
      </section>
    </>
  );
}

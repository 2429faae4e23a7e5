"use client";

import Link from "next/link";
import { useId, useState } from "react";
import type { RouterOutputs } from "@qualmeet/api";
import { API_TOKEN_SCOPES, API_TOKEN_SCOPE_LABELS, type ApiTokenScope } from "@qualmeet/api/api-token-scopes";
import { errorMessage, trpc } from "@/lib/trpc";
import { TokenCard } from "../tokens/TokenCard";
import { SecretShownOnce } from "./SecretShownOnce";

type ApiToken = RouterOutputs["apiTokens"]["list"][number];

/** How long a new token lives, as the form offers it. */
const EXPIRIES = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
] as const;

const when = (date: Date | null): string => (date ? date.toLocaleString() : "never");

function CreateTokenForm({ onCreated }: { onCreated: (name: string, secret: string) => Promise<void> }) {
  const id = useId();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiTokenScope[]>([]);
  const [days, setDays] = useState<number>(30);
  const create = trpc.apiTokens.create.useMutation();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Create a token
      </h2>
      <form
        className="mt-3 flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const expiresAt = new Date(Date.now() + days * 86_400_000);
          create.mutate(
            { name, scopes, expiresAt },
            {
              onSuccess: async ({ token, secret }) => {
                setName("");
                setScopes([]);
                await onCreated(token.name, secret);
              },
            },
          );
        }}
      >
        <div>
          <label htmlFor={`${id}-name`} className="field-label">
            Name
          </label>
          <input id={`${id}-name`} className="field-input" value={name} maxLength={80} required onChange={(e) => setName(e.target.value)} />
        </div>
        <fieldset>
          <legend className="field-label">Scopes</legend>
          {API_TOKEN_SCOPES.map((scope) => (
            <label key={scope} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => setScopes((s) => (e.target.checked ? [...s, scope] : s.filter((x) => x !== scope)))} />
              {API_TOKEN_SCOPE_LABELS[scope]} <span className="font-mono text-xs text-slate-500">{scope}</span>
            </label>
          ))}
        </fieldset>
        <div>
          <label htmlFor={`${id}-expiry`} className="field-label">
            Expires after
          </label>
          <select id={`${id}-expiry`} className="field-input" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {EXPIRIES.map((x) => (
              <option key={x.days} value={x.days}>
                {x.label}
              </option>
            ))}
          </select>
        </div>
        {create.error ? (
          <p role="alert" className="field-error">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <button type="submit" className="btn-primary self-start" disabled={create.isPending}>
          Create token
        </button>
      </form>
    </section>
  );
}

function TokenItem({ token, onRevoked }: { token: ApiToken; onRevoked: () => Promise<void> }) {
  const revoke = trpc.apiTokens.revoke.useMutation({ onSuccess: onRevoked });
  return <TokenCard token={token} titleId={`token-${token.id}-title`} when={when} revoke={revoke} revokeLabel={`Revoke the token ${token.name}`} />;
}

/** The account's personal access tokens: a form to make one, its secret once, and the list with revoke buttons. */
export function ApiTokens() {
  const id = useId();
  const utils = trpc.useUtils();
  const list = trpc.apiTokens.list.useQuery();
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const refresh = () => utils.apiTokens.list.invalidate();
  return (
    <>
      <section className="card" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
          API tokens
        </h1>
        <p className="mt-2 text-slate-600">
          A token lets a script or bot act as you, only within the scopes you give it: send it as <code>Authorization: Bearer &lt;token&gt;</code>. What it can call over plain
          HTTP:{" "}
          <Link href="/docs/api" className="link">
            the REST API reference
          </Link>
          .
        </p>
      </section>
      {created ? (
        <SecretShownOnce
          title={`Your new token “${created.name}”`}
          warning="Anyone holding it can act as you within its scopes."
          label="Token"
          secret={created.secret}
          testId="new-token-secret"
          onDone={() => setCreated(null)}
        />
      ) : null}
      <CreateTokenForm
        onCreated={async (name, secret) => {
          setCreated({ name, secret });
          await refresh();
        }}
      />
      <section className="card" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`} className="text-lg font-semibold">
          Your tokens
        </h2>
        {list.error ? (
          <p role="alert" className="field-error mt-2">
            {errorMessage(list.error)}
          </p>
        ) : null}
        {list.isPending ? <p className="mt-2 text-sm text-slate-600">Loading tokens…</p> : null}
        {list.data?.length === 0 ? <p className="mt-2 text-sm text-slate-600">No tokens yet.</p> : null}
        <ul className="mt-3 flex flex-col gap-3" aria-label="Your tokens, newest first">
          {list.data?.map((token) => (
            <TokenItem key={token.id} token={token} onRevoked={refresh} />
          ))}
        </ul>
      </section>
    </>
  );
}

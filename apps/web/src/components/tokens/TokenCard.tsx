"use client";

import { API_TOKEN_SCOPE_LABELS, type ApiTokenScope } from "@qualmeet/api/api-token-scopes";
import { errorMessage } from "@/lib/trpc";

/** What a card shows of a token: the fields both lists (the owner's and the admins') return. */
export interface TokenSummary {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  live: boolean;
}

/** One token in a list: its scopes, dates and a Revoke button while it is live. */
export function TokenCard({
  token,
  owner,
  titleId,
  when,
  revoke,
  revokeLabel,
}: {
  token: TokenSummary;
  /** the owner's name, shown beside the token's (the admins' list) */
  owner?: string;
  titleId: string;
  when: (date: Date | null) => string;
  revoke: { error: unknown; isPending: boolean; mutate: (input: { tokenId: string }) => void };
  revokeLabel: string;
}) {
  const status = token.revokedAt ? `revoked ${when(token.revokedAt)}` : `${token.live ? "expires" : "expired"} ${when(token.expiresAt)}`;
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={titleId} data-token-id={token.id}>
      <h3 id={titleId} className="font-semibold">
        {token.name}
        {owner ? <span className="text-sm font-normal text-slate-600"> of {owner}</span> : null}
      </h3>
      <p className="text-sm text-slate-700">Scopes: {token.scopes.map((s) => API_TOKEN_SCOPE_LABELS[s]).join(", ")}</p>
      <p className="text-sm text-slate-600">
        Created {when(token.createdAt)} · {status} · last used {when(token.lastUsedAt)}
      </p>
      {revoke.error ? (
        <p role="alert" className="field-error">
          {errorMessage(revoke.error)}
        </p>
      ) : null}
      {token.live ? (
        <button type="button" className="btn-danger mt-2" disabled={revoke.isPending} onClick={() => revoke.mutate({ tokenId: token.id })} aria-label={revokeLabel}>
          Revoke
        </button>
      ) : null}
    </li>
  );
}

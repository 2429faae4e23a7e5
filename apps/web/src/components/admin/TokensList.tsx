"use client";

import { useId } from "react";
import type { RouterOutputs } from "@qualmeet/api";
import { API_TOKEN_SCOPE_LABELS } from "@qualmeet/api/api-token-scopes";
import { errorMessage, trpc } from "@/lib/trpc";
import { when } from "./moderation/format";

type Token = RouterOutputs["admin"]["tokens"]["list"]["items"][number];
const PAGE = 25;

function TokenRow({ token, onRevoked }: { token: Token; onRevoked: () => Promise<void> }) {
  const revoke = trpc.admin.tokens.revoke.useMutation({ onSuccess: onRevoked });
  const titleId = `admin-token-${token.id}-title`;
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={titleId} data-token-id={token.id}>
      <h3 id={titleId} className="font-semibold">
        {token.name} <span className="text-sm font-normal text-slate-600">of {token.user.name}</span>
      </h3>
      <p className="text-sm text-slate-700">Scopes: {token.scopes.map((s) => API_TOKEN_SCOPE_LABELS[s]).join(", ")}</p>
      <p className="text-sm text-slate-600">
        Created {when(token.createdAt)} · {token.revokedAt ? `revoked ${when(token.revokedAt)}` : `${token.live ? "expires" : "expired"} ${when(token.expiresAt)}`} · last used{" "}
        {when(token.lastUsedAt)}
      </p>
      {revoke.error ? (
        <p role="alert" className="field-error">
          {errorMessage(revoke.error)}
        </p>
      ) : null}
      {token.live ? (
        <button
          type="button"
          className="btn-danger mt-2"
          disabled={revoke.isPending}
          onClick={() => revoke.mutate({ tokenId: token.id })}
          aria-label={`Revoke ${token.user.name}'s token ${token.name}`}
        >
          Revoke
        </button>
      ) : null}
    </li>
  );
}

/** Every user's API tokens, newest first, paged on the server. */
export function TokensList() {
  const id = useId();
  const utils = trpc.useUtils();
  const query = trpc.admin.tokens.list.useInfiniteQuery({ limit: PAGE }, { getNextPageParam: (last) => last.nextCursor });
  const tokens = query.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
        API tokens
      </h1>
      {query.error ? (
        <p role="alert" className="field-error mt-4">
          {errorMessage(query.error)}
        </p>
      ) : null}
      {query.isPending ? <p className="mt-4 text-sm text-slate-600">Loading tokens…</p> : null}
      {query.isSuccess && tokens.length === 0 ? <p className="mt-4 text-sm text-slate-600">No tokens.</p> : null}
      <ul className="mt-4 flex flex-col gap-3" aria-label="API tokens, newest first">
        {tokens.map((token) => (
          <TokenRow key={token.id} token={token} onRevoked={() => utils.admin.tokens.list.invalidate()} />
        ))}
      </ul>
      {query.hasNextPage ? (
        <button type="button" className="btn-secondary mt-4" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load older tokens
        </button>
      ) : null}
    </section>
  );
}

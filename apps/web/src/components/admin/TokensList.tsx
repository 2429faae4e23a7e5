"use client";

import { useId } from "react";
import type { RouterOutputs } from "@qualmeet/api";
import { errorMessage, trpc } from "@/lib/trpc";
import { TokenCard } from "../tokens/TokenCard";
import { when } from "./moderation/format";

type Token = RouterOutputs["admin"]["tokens"]["list"]["items"][number];
const PAGE = 25;

function TokenRow({ token, onRevoked }: { token: Token; onRevoked: () => Promise<void> }) {
  const revoke = trpc.admin.tokens.revoke.useMutation({ onSuccess: onRevoked });
  return (
    <TokenCard
      token={token}
      owner={token.user.name}
      titleId={`admin-token-${token.id}-title`}
      when={when}
      revoke={revoke}
      revokeLabel={`Revoke ${token.user.name}'s token ${token.name}`}
    />
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

"use client";

import { errorMessage, trpc } from "@/lib/trpc";

/** The people you blocked, each with Unblock (the chat page's sidebar). Nothing shows while there are none. */
export function BlockedPeople() {
  const utils = trpc.useUtils();
  const blocked = trpc.user.blocked.useQuery(undefined, { staleTime: 30_000 });
  const unblock = trpc.user.unblock.useMutation({ onSuccess: () => Promise.all([utils.user.blocked.invalidate(), utils.user.contacts.invalidate()]) });
  if (!blocked.data?.length) return null;
  return (
    <details className="border-t border-slate-200 p-3">
      <summary className="cursor-pointer px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">Blocked people ({blocked.data.length})</summary>
      <ul aria-label="Blocked people" className="mt-2 flex flex-col gap-1">
        {blocked.data.map((person) => (
          <li key={person.id} className="flex items-center gap-2 px-1 text-sm">
            <span className="min-w-0 flex-1 truncate">{person.name}</span>
            <button type="button" className="link text-xs" disabled={unblock.isPending} onClick={() => unblock.mutate({ userId: person.id })}>
              Unblock {person.name}
            </button>
          </li>
        ))}
      </ul>
      {unblock.error ? (
        <p role="alert" className="alert-error mt-2">
          {errorMessage(unblock.error)}
        </p>
      ) : null}
    </details>
  );
}

"use client";

import { errorMessage, trpc } from "@/lib/trpc";

/** What a block does, said before it is done. */
const blockWarning = (name: string) =>
  `Block ${name}? Neither of you can then write or call in your direct conversation, you stop seeing each other online, ` +
  `and adding either of you to a group becomes an invitation the other must accept. You can unblock later.`;

/**
 * Block or unblock one person (a DM's header, a group's member list, a meeting's participant list). The list of
 * people you blocked is shared by every button on the page, so each shows the right word.
 */
export function BlockButton({ userId, name, className = "link text-xs text-red-700" }: { userId: string; name: string; className?: string }) {
  const utils = trpc.useUtils();
  const blocked = trpc.user.blocked.useQuery(undefined, { staleTime: 30_000 });
  const refresh = () => Promise.all([utils.user.blocked.invalidate(), utils.user.contacts.invalidate()]);
  const block = trpc.user.block.useMutation({ onSuccess: refresh });
  const unblock = trpc.user.unblock.useMutation({ onSuccess: refresh });
  const isBlocked = blocked.data?.some((b) => b.id === userId) ?? false;
  const error = block.error ?? unblock.error;
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={blocked.isPending || block.isPending || unblock.isPending}
        onClick={() => {
          if (isBlocked) unblock.mutate({ userId });
          else if (window.confirm(blockWarning(name))) block.mutate({ userId });
        }}
      >
        {isBlocked ? `Unblock ${name}` : `Block ${name}`}
      </button>
      {error ? (
        <span role="alert" className="field-error">
          {errorMessage(error)}
        </span>
      ) : null}
    </>
  );
}

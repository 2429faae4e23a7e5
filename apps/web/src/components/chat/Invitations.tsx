"use client";

import { useEffect } from "react";
import { loadConversations } from "@/lib/chat/live";
import { errorMessage, trpc } from "@/lib/trpc";
import { useConversationStore } from "@/stores/chat";

/**
 * Groups asking you to (re)join them: their name, who asked and how many are in it, with Accept and Decline. Nothing
 * of a group's conversation is shown before you accept. Read again whenever the live events say invitations changed.
 */
export function Invitations({ onOpen }: { onOpen(id: string): void }) {
  const utils = trpc.useUtils();
  const version = useConversationStore((s) => s.invitationsVersion);
  const invitations = trpc.chat.invitations.useQuery(undefined, { staleTime: 30_000 });
  const refresh = () => utils.chat.invitations.invalidate();
  const accept = trpc.chat.acceptInvitation.useMutation({
    onSuccess: async (conversation) => {
      useConversationStore.getState().upsertConversation(conversation);
      await Promise.all([refresh(), loadConversations()]);
      onOpen(conversation.id);
    },
  });
  const decline = trpc.chat.declineInvitation.useMutation({ onSuccess: refresh });

  useEffect(() => {
    if (version > 0) void utils.chat.invitations.invalidate();
  }, [version, utils]);

  if (!invitations.data?.length) return null;
  const busy = accept.isPending || decline.isPending;
  const error = accept.error ?? decline.error;
  return (
    <section aria-labelledby="invitations-heading" className="border-t border-slate-200 p-3">
      <h2 id="invitations-heading" className="px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
        Invitations
      </h2>
      <ul aria-label="Invitations" className="mt-2 flex flex-col gap-2">
        {invitations.data.map((invitation) => (
          <li key={invitation.conversationId} className="rounded-lg border border-slate-200 p-2 text-sm">
            <p>
              <span className="font-medium">{invitation.invitedBy.name}</span> invites you to <span className="font-medium">{invitation.title}</span> ({invitation.memberCount}{" "}
              {invitation.memberCount === 1 ? "member" : "members"})
            </p>
            <div className="mt-2 flex gap-2">
              <button type="button" className="btn-primary px-3 py-1" disabled={busy} onClick={() => accept.mutate({ conversationId: invitation.conversationId })}>
                Accept
              </button>
              <button type="button" className="btn-secondary px-3 py-1" disabled={busy} onClick={() => decline.mutate({ conversationId: invitation.conversationId })}>
                Decline
              </button>
            </div>
          </li>
        ))}
      </ul>
      {error ? (
        <p role="alert" className="alert-error mt-2">
          {errorMessage(error)}
        </p>
      ) : null}
    </section>
  );
}

"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { keepTrying, retryText } from "@/lib/keepTrying";
import { errorMessage } from "@/lib/trpc";
import { loadConversations } from "@/lib/chat/live";
import type { ChatUser } from "@/lib/chat/types";
import { useConversationStore } from "@/stores/chat";
import { BlockedPeople } from "./BlockedPeople";
import { ConversationList } from "./ConversationList";
import { ConversationView } from "./ConversationView";
import { EnableNotifications } from "./EnableNotifications";
import { FindPeople } from "./FindPeople";
import { Invitations } from "./Invitations";
import { NewConversation } from "./NewConversation";

/** /chat: conversations and people on the left, the open conversation on the right (one at a time on phones). */
export function ChatApp({ me, initialOpenId }: { me: ChatUser; initialOpenId: string | null }) {
  const params = useSearchParams();
  const [openId, setOpenId] = useState<string | null>(initialOpenId);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(
    () =>
      keepTrying(loadConversations, {
        onRetry: (message, retryInMs) => setError(retryText("Your conversations could not be loaded", message, retryInMs)),
        onSuccess: () => setError(null),
        onPermanent: (e) => setError(errorMessage(e)),
      }),
    [],
  );

  // a toast or notification opens /chat?c=...
  const requested = params.get("c");
  const [requestShown, setRequestShown] = useState<string | null>(null);
  if (requested !== requestShown) {
    setRequestShown(requested);
    if (requested) setOpenId(requested);
  }

  useEffect(() => {
    useConversationStore.getState().setOpen(openId);
    return () => useConversationStore.getState().setOpen(null);
  }, [openId]);

  const open = useCallback((conversationId: string | null) => {
    setOpenId(conversationId);
    window.history.replaceState(null, "", conversationId ? `/chat?c=${encodeURIComponent(conversationId)}` : "/chat");
  }, []);

  return (
    <main className="flex h-[calc(100dvh-9rem)] min-h-[32rem] w-full overflow-hidden rounded-2xl border border-slate-200 bg-white shadow-sm">
      <aside aria-label="Conversations and people" className={`w-full shrink-0 flex-col overflow-y-auto border-r border-slate-200 md:flex md:w-80 ${openId ? "hidden" : "flex"}`}>
        <div className="flex items-center justify-between gap-2 border-b border-slate-200 p-3">
          <h1 className="text-lg font-bold tracking-tight">Chat</h1>
          <button type="button" className="btn-primary" onClick={() => setCreating(true)}>
            New conversation
          </button>
        </div>
        <EnableNotifications />
        {error ? (
          <p role="alert" className="alert-error m-3">
            {error}
          </p>
        ) : null}
        <FindPeople onOpen={open} />
        <Invitations onOpen={open} />
        <ConversationList me={me} openId={openId} onOpen={open} />
        <BlockedPeople />
      </aside>
      <section className={`min-w-0 flex-1 flex-col ${openId ? "flex" : "hidden md:flex"}`}>
        {openId ? (
          <ConversationView key={openId} conversationId={openId} me={me} onClose={() => open(null)} />
        ) : (
          <div className="m-auto p-6 text-center text-slate-500">
            <p>Pick a conversation, or find someone to message.</p>
          </div>
        )}
      </section>
      {creating ? (
        <NewConversation
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            open(id);
          }}
        />
      ) : null}
    </main>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { keepTrying, retryText } from "@/lib/keepTrying";
import { errorMessage, trpc } from "@/lib/trpc";
import { chatHttp, errorCode } from "@/lib/chat/api";
import { chatClient, loadHistory } from "@/lib/chat/live";
import type { ChatMessage, ChatUser, ConversationSummary } from "@/lib/chat/types";
import { useConversationStore } from "@/stores/chat";
import { BlockButton } from "./BlockButton";
import { Composer } from "./Composer";
import { MembersPanel } from "./MembersPanel";
import { MessageLog } from "./MessageLog";
import { PresenceDot, lastSeenText, usePresence } from "./PresenceDot";
import { SearchPanel } from "./SearchPanel";

type Panel = "search" | "members" | null;

/** One open conversation: header with calls, search and members, the history, who is typing, the composer. */
export function ConversationView({ conversationId, me, onClose }: { conversationId: string; me: ChatUser; onClose(): void }) {
  const conversation = useConversationStore((s) => s.conversations[conversationId]);
  const listLoaded = useConversationStore((s) => s.listLoaded);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const [editing, setEditing] = useState<ChatMessage | null>(null);
  const [hadConversation, setHadConversation] = useState(false);
  if (conversation && !hadConversation) setHadConversation(true);

  useEffect(() => {
    // the history and, for a conversation the list does not have yet (opened from a link or a toast), its
    // summary; a failure keeps what is loaded on screen, says so and tries again
    const load = async () => {
      await Promise.all([
        loadHistory(conversationId),
        useConversationStore.getState().conversations[conversationId]
          ? null
          : chatHttp()
              .chat.get.query({ conversationId })
              .then((c) => useConversationStore.getState().upsertConversation(c)),
      ]);
    };
    return keepTrying(load, {
      onRetry: (message, retryInMs) => setError(retryText("Messages could not be loaded", message, retryInMs)),
      onSuccess: () => setError(null),
      onPermanent: (e) => {
        if (errorCode(e) === "NOT_FOUND" || errorCode(e) === "FORBIDDEN" || errorCode(e) === "BAD_REQUEST") setMissing(true);
        else setError(errorMessage(e));
      },
    });
  }, [conversationId]);

  if (missing || (hadConversation && !conversation && listLoaded)) {
    return (
      <div className="m-auto max-w-sm p-6 text-center">
        <p role="alert" className="text-slate-700">
          {hadConversation ? "You are no longer a member of this conversation." : "This conversation is not available."}
        </p>
        <button type="button" className="btn-secondary mt-4" onClick={onClose}>
          Back to conversations
        </button>
      </div>
    );
  }
  if (!conversation) {
    return error ? (
      <p role="alert" className="alert-error m-auto max-w-md">
        {error}
      </p>
    ) : (
      <p className="m-auto p-6 text-slate-500">Loading…</p>
    );
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col" aria-label={conversation.title} role="region">
      <Header conversation={conversation} me={me} panel={panel} setPanel={setPanel} onClose={onClose} />
      {error ? (
        <p role="alert" className="alert-error m-3">
          {error}
        </p>
      ) : null}
      <div className="flex min-h-0 flex-1">
        <div className="flex min-w-0 flex-1 flex-col">
          <MessageLog
            conversation={conversation}
            me={me}
            onReply={(m) => {
              setEditing(null);
              setReplyTo(m);
            }}
            onEdit={(m) => {
              setReplyTo(null);
              setEditing(m);
            }}
          />
          <Typing conversationId={conversation.id} />
          {conversation.kind === "DIRECT" ? <BlockedNotice conversation={conversation} me={me} /> : null}
          <Composer conversationId={conversation.id} replyTo={replyTo} editing={editing} onDoneReply={() => setReplyTo(null)} onDoneEdit={() => setEditing(null)} />
        </div>
        {panel === "search" ? <SearchPanel conversationId={conversation.id} onClose={() => setPanel(null)} /> : null}
        {panel === "members" ? <MembersPanel conversation={conversation} me={me} onClose={() => setPanel(null)} onLeft={onClose} /> : null}
      </div>
    </div>
  );
}

function Header({ conversation, me, panel, setPanel, onClose }: { conversation: ConversationSummary; me: ChatUser; panel: Panel; setPanel(panel: Panel): void; onClose(): void }) {
  const router = useRouter();
  const [calling, setCalling] = useState(false);
  const [callError, setCallError] = useState<string | null>(null);
  const other = conversation.kind === "DIRECT" ? conversation.members.find((m) => m.id !== me.id) : undefined;
  const presence = usePresence(other?.id, { online: other?.online ?? false, lastSeenAt: other?.lastSeenAt ?? null });

  const call = async (kind: "AUDIO" | "VIDEO") => {
    setCalling(true);
    setCallError(null);
    try {
      const info = await chatClient().calls.start.mutate({ conversationId: conversation.id, kind });
      useConversationStore.getState().setOutgoingCall(info);
      router.push(`/m/${info.meetingCode}?join=${kind === "AUDIO" ? "audio" : "video"}`);
    } catch (e) {
      setCalling(false);
      setCallError(errorMessage(e));
    }
  };

  return (
    <header className="border-b border-slate-200 px-3 py-2">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className="btn-secondary px-2 py-1 md:hidden" onClick={onClose} aria-label="Back to conversations">
          ←
        </button>
        <div className="min-w-40 flex-1">
          <h2 className="truncate text-base font-semibold">{conversation.title}</h2>
          <p className="flex items-center gap-1.5 text-xs text-slate-500">
            {other ? (
              <>
                <PresenceDot online={presence.online} lastSeenAt={presence.lastSeenAt} />
                <span>{lastSeenText(presence.online, presence.lastSeenAt)}</span>
              </>
            ) : (
              <span>
                {conversation.members.length} {conversation.members.length === 1 ? "member" : "members"}
              </span>
            )}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-1.5">
          {conversation.kind === "MEETING" ? null : (
            <>
              <button type="button" className="btn-secondary px-3 py-1.5" disabled={calling} onClick={() => void call("AUDIO")}>
                Audio call
              </button>
              <button type="button" className="btn-secondary px-3 py-1.5" disabled={calling} onClick={() => void call("VIDEO")}>
                Video call
              </button>
            </>
          )}
          <button type="button" className="btn-secondary px-3 py-1.5" aria-pressed={panel === "search"} onClick={() => setPanel(panel === "search" ? null : "search")}>
            Search
          </button>
          {other && !other.isGuest ? <BlockButton userId={other.id} name={other.name} className="btn-secondary px-3 py-1.5 text-red-700" /> : null}
          {conversation.kind === "GROUP" ? (
            <button type="button" className="btn-secondary px-3 py-1.5" aria-pressed={panel === "members"} onClick={() => setPanel(panel === "members" ? null : "members")}>
              Members
            </button>
          ) : null}
        </div>
      </div>
      {callError ? (
        <p role="alert" className="field-error">
          {callError}
        </p>
      ) : null}
    </header>
  );
}

/** In a DM with someone you blocked: why nothing can be sent, before anyone tries. */
function BlockedNotice({ conversation, me }: { conversation: ConversationSummary; me: ChatUser }) {
  const blocked = trpc.user.blocked.useQuery(undefined, { staleTime: 30_000 });
  const other = conversation.members.find((m) => m.id !== me.id);
  if (!other || !blocked.data?.some((b) => b.id === other.id)) return null;
  return (
    <p role="status" className="mx-3 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
      You blocked {other.name}: neither of you can write or call here until you unblock them.
    </p>
  );
}

function Typing({ conversationId }: { conversationId: string }) {
  const typing = useConversationStore((s) => s.typing[conversationId]);
  const [now, setNow] = useState(() => Date.now());
  const names = Object.values(typing ?? {})
    .filter((t) => t.until > now)
    .map((t) => t.name);
  useEffect(() => {
    if (!typing) return;
    // the clock starts again from the newest typing notice (set from the timer, not during the effect)
    const timer = setInterval(() => setNow(Date.now()), 1000);
    const catchUp = setTimeout(() => setNow(Date.now()), 0);
    return () => {
      clearInterval(timer);
      clearTimeout(catchUp);
    };
  }, [typing]);
  const text = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are typing…`;
  return (
    <p role="status" aria-live="polite" className="h-5 truncate px-4 text-xs text-slate-500 italic">
      {text}
    </p>
  );
}

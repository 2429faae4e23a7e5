"use client";

import { useMemo } from "react";
import type { ChatUser, ConversationSummary } from "@/lib/chat/types";
import { useConversationStore } from "@/stores/chat";
import { PresenceDot, usePresence } from "./PresenceDot";

const sortKey = (c: ConversationSummary) => (c.lastMessageAt ?? c.lastMessage?.createdAt)?.getTime() ?? 0;

/** The user's conversations, most recent message first, with unread counts and the last message. */
export function ConversationList({ me, openId, onOpen }: { me: ChatUser; openId: string | null; onOpen(id: string): void }) {
  const conversations = useConversationStore((s) => s.conversations);
  const loaded = useConversationStore((s) => s.listLoaded);
  const sorted = useMemo(
    // a meeting's chat stays readable afterwards, once something was said in it
    () =>
      Object.values(conversations)
        .filter((c) => c.kind !== "MEETING" || c.lastMessage)
        .sort((a, b) => sortKey(b) - sortKey(a)),
    [conversations],
  );
  return (
    <section aria-labelledby="conversations-heading" className="border-t border-slate-200 p-3">
      <h2 id="conversations-heading" className="px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
        Conversations
      </h2>
      {loaded && sorted.length === 0 ? <p className="mt-2 px-1 text-sm text-slate-500">No conversations yet.</p> : null}
      <ul aria-label="Conversations" className="mt-2 flex flex-col gap-1">
        {sorted.map((c) => (
          <li key={c.id}>
            <ConversationItem conversation={c} me={me} active={c.id === openId} onOpen={onOpen} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function ConversationItem({ conversation: c, me, active, onOpen }: { conversation: ConversationSummary; me: ChatUser; active: boolean; onOpen(id: string): void }) {
  const other = c.kind === "DIRECT" ? c.members.find((m) => m.id !== me.id) : undefined;
  const presence = usePresence(other?.id, { online: other?.online ?? false, lastSeenAt: other?.lastSeenAt ?? null });
  const last = c.lastMessage;
  const preview = !last ? "No messages yet" : last.deletedAt ? "Message deleted" : `${last.sender.id === me.id ? "You" : last.sender.name}: ${last.body}`;
  return (
    <button
      type="button"
      aria-current={active ? "true" : undefined}
      onClick={() => onOpen(c.id)}
      className={`flex w-full items-center gap-3 rounded-lg px-2 py-2 text-left hover:bg-slate-100 ${active ? "bg-indigo-50" : ""}`}
    >
      <span className="relative flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-slate-200 text-sm font-semibold text-slate-700" aria-hidden="true">
        {c.title.slice(0, 1).toUpperCase()}
      </span>
      <span className="min-w-0 flex-1">
        <span className="flex items-center gap-1.5">
          {other ? <PresenceDot online={presence.online} lastSeenAt={presence.lastSeenAt} /> : null}
          <span className={`truncate text-sm ${c.unread > 0 ? "font-bold" : "font-medium"}`}>{c.title}</span>
          {c.kind === "MEETING" ? <span className="shrink-0 rounded bg-slate-100 px-1.5 text-xs text-slate-500">Meeting</span> : null}
        </span>
        <span className="block truncate text-xs text-slate-500">{preview}</span>
      </span>
      {c.unread > 0 ? (
        <span className="shrink-0 rounded-full bg-indigo-600 px-2 py-0.5 text-xs font-semibold text-white">
          {c.unread}
          <span className="sr-only"> unread</span>
        </span>
      ) : null}
    </button>
  );
}

"use client";

import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { errorMessage } from "@/lib/trpc";
import { chatClient, loadHistory, sendMessage, startChatLive } from "@/lib/chat/live";
import type { UnsentMessage } from "@/lib/chat/outbox";
import { useConversationStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { useSessionStore } from "@/stores/session";
import { MessageText } from "./MessageText";

const EMPTY: UnsentMessage[] = [];
const timeText = (d: Date) => d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** The meeting room's chat panel: the meeting's persisted conversation (chat.meetingConversation), guests included. */
export function MeetingChat() {
  const id = useId();
  const meetingId = useMeetingStore((s) => s.meeting?.id);
  const user = useSessionStore((s) => s.user);
  const realtimeUrl = useSessionStore((s) => s.realtimeUrl);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const thread = useConversationStore((s) => (conversationId ? s.threads[conversationId] : undefined));
  const allUnsent = useConversationStore((s) => s.unsent);
  const logRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (!user || !realtimeUrl) return;
    return startChatLive(realtimeUrl, { id: user.id, name: user.name, isGuest: user.isGuest });
  }, [user, realtimeUrl]);

  useEffect(() => {
    if (!meetingId || !user || !realtimeUrl) return;
    let cancelled = false;
    chatClient()
      .chat.meetingConversation.mutate({ meetingId })
      .then(async (conversation) => {
        if (cancelled) return;
        useConversationStore.getState().upsertConversation(conversation);
        setConversationId(conversation.id);
        await loadHistory(conversation.id);
      })
      .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
  }, [meetingId, user, realtimeUrl]);

  const unsent = useMemo(() => {
    const delivered = new Set(thread?.messages.map((m) => m.clientId));
    const mine = allUnsent.filter((u) => u.conversationId === conversationId && !delivered.has(u.clientId));
    return mine.length ? mine : EMPTY;
  }, [allUnsent, conversationId, thread?.messages]);

  // the panel is on screen: what it shows counts as read (so /chat lists the meeting's chat without unread)
  const newest = thread?.messages.at(-1);
  useEffect(() => {
    if (!newest || !conversationId || newest.sender.id === user?.id) return;
    chatClient()
      .chat.markRead.mutate({ conversationId, messageId: newest.id })
      .then(({ unread }) => useConversationStore.getState().setUnread(conversationId, unread))
      .catch(() => undefined);
  }, [newest, conversationId, user?.id]);

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [thread?.messages.length, unsent.length]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body || !conversationId) return;
    try {
      sendMessage(conversationId, body, null);
      setText("");
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const messages = thread?.messages ?? [];
  return (
    <section aria-labelledby={`${id}-heading`} className="flex min-h-0 flex-1 flex-col">
      <h2 id={`${id}-heading`} className="px-4 pt-3 pb-2 text-sm font-semibold tracking-wide text-slate-200 uppercase">
        Chat
      </h2>
      <ol ref={logRef} role="log" aria-label="Chat messages" className="min-h-0 flex-1 space-y-2 overflow-y-auto px-4 pb-2 text-sm">
        {messages.length === 0 && unsent.length === 0 ? <li className="text-slate-400">No messages yet.</li> : null}
        {messages.map((m) => (
          <li key={m.id}>
            <p className="flex items-baseline gap-2">
              <span className={`font-semibold ${m.sender.id === user?.id ? "text-indigo-300" : "text-slate-100"}`}>{m.sender.id === user?.id ? "You" : m.sender.name}</span>
              <time dateTime={m.createdAt.toISOString()} className="text-xs text-slate-500">
                {timeText(m.createdAt)}
              </time>
            </p>
            {m.deletedAt ? <p className="text-slate-500 italic">This message was deleted</p> : <MessageText text={m.body} className="text-slate-200 [&_a]:text-indigo-300" />}
          </li>
        ))}
        {unsent.map((u) => (
          <li key={u.clientId} className="opacity-70">
            <p className="text-xs text-slate-400">{u.state === "sending" ? "Sending…" : u.state === "retrying" ? "Not sent, retrying" : `Not sent: ${u.error ?? "refused"}`}</p>
            <MessageText text={u.body} className="text-slate-200" />
          </li>
        ))}
      </ol>
      <form onSubmit={send} className="flex gap-2 border-t border-white/10 p-3">
        <label htmlFor={`${id}-message`} className="sr-only">
          Message
        </label>
        <input
          id={`${id}-message`}
          type="text"
          autoComplete="off"
          maxLength={4000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Send a message"
          className="min-w-0 flex-1 rounded-lg border border-white/15 bg-slate-800 px-3 py-2 text-sm text-white placeholder:text-slate-500 focus:border-indigo-400 focus:outline-2 focus:outline-indigo-400/40"
        />
        <button type="submit" className="btn-primary" disabled={!text.trim() || !conversationId}>
          Send
        </button>
      </form>
      {error ? (
        <p role="alert" className="px-3 pb-3 text-sm text-red-300">
          {error}
        </p>
      ) : null}
    </section>
  );
}

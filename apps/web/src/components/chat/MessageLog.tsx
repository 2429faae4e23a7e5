"use client";

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "@/lib/trpc";
import { chatClient, discardUnsent, loadOlder, retryUnsent } from "@/lib/chat/live";
import type { UnsentMessage } from "@/lib/chat/outbox";
import type { CallEntry, ChatMessage, ChatUser, ConversationSummary } from "@/lib/chat/types";
import { useConversationStore } from "@/stores/chat";
import { MessageText } from "./MessageText";

type Row = { kind: "message"; at: number; message: ChatMessage } | { kind: "call"; at: number; call: CallEntry };

const EMPTY_UNSENT: UnsentMessage[] = [];
const timeText = (d: Date) => d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** The history, oldest at the top: older pages load when scrolled to the top; new messages keep it at the bottom. */
export function MessageLog({
  conversation,
  me,
  onReply,
  onEdit,
}: {
  conversation: ConversationSummary;
  me: ChatUser;
  onReply(message: ChatMessage): void;
  onEdit(message: ChatMessage): void;
}) {
  const thread = useConversationStore((s) => s.threads[conversation.id]);
  const allUnsent = useConversationStore((s) => s.unsent);
  const seen = useConversationStore((s) => s.seen[conversation.id]);
  const unsent = useMemo(() => {
    const delivered = new Set(thread?.messages.map((m) => m.clientId));
    const mine = allUnsent.filter((u) => u.conversationId === conversation.id && !delivered.has(u.clientId));
    return mine.length ? mine : EMPTY_UNSENT;
  }, [allUnsent, conversation.id, thread?.messages]);
  const [olderError, setOlderError] = useState<string | null>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const heightBeforeOlder = useRef<number | null>(null);

  const messages = thread?.messages;
  const calls = thread?.calls;
  const hasOlder = !!thread?.nextCursor;
  const rows = useMemo<Row[]>(() => {
    if (!messages || !calls) return [];
    const rows: Row[] = messages.map((message) => ({ kind: "message", at: message.createdAt.getTime(), message }));
    // call entries older than the loaded messages belong to a page not loaded yet
    const oldest = hasOlder && messages[0] ? messages[0].createdAt.getTime() : -Infinity;
    for (const call of calls) if (call.startedAt.getTime() >= oldest) rows.push({ kind: "call", at: call.startedAt.getTime(), call });
    return rows.sort((a, b) => a.at - b.at);
  }, [messages, calls, hasOlder]);

  const lastMine = useMemo(() => messages?.findLast((m) => m.sender.id === me.id && !m.deletedAt), [messages, me.id]);
  const seenBy = useMemo(() => {
    if (!lastMine || !messages) return [];
    const position = new Map(messages.map((m, i) => [m.id, i]));
    const mineAt = position.get(lastMine.id) ?? Infinity;
    // what the list said (lastReadAt) or a receipt that arrived live
    return conversation.members
      .filter((member) => member.id !== me.id)
      .filter((member) => (member.lastReadAt && member.lastReadAt >= lastMine.createdAt) || (position.get(seen?.[member.id] ?? "") ?? -1) >= mineAt)
      .map((m) => m.name);
  }, [lastMine, seen, messages, conversation.members, me.id]);

  // read receipts: the newest message counts as read while this conversation is on screen
  const newest = messages?.at(-1);
  const unread = conversation.unread;
  useEffect(() => {
    if (!newest) return;
    let marked: string | null = null;
    const mark = () => {
      if (document.visibilityState !== "visible" || marked === newest.id) return;
      if (newest.sender.id === me.id && unread === 0) return;
      marked = newest.id;
      chatClient()
        .chat.markRead.mutate({ conversationId: conversation.id, messageId: newest.id })
        .then(({ unread }) => useConversationStore.getState().setUnread(conversation.id, unread))
        .catch(() => {
          marked = null;
        });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [newest, unread, conversation.id, me.id]);

  // keep the view at the bottom for new messages, and in place when an older page is added above
  const firstRow = rows[0] ? (rows[0].kind === "message" ? rows[0].message.id : rows[0].call.id) : null;
  const previousFirstRow = useRef(firstRow);
  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log) return;
    if (heightBeforeOlder.current !== null && firstRow !== previousFirstRow.current) {
      log.scrollTop += log.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = null;
    } else if (stickToBottom.current) {
      log.scrollTop = log.scrollHeight;
    }
    previousFirstRow.current = firstRow;
  }, [rows, unsent, firstRow]);

  const older = () => {
    const log = logRef.current;
    if (!thread?.nextCursor || thread.loadingOlder) return;
    heightBeforeOlder.current = log?.scrollHeight ?? null;
    setOlderError(null);
    loadOlder(conversation.id).catch((e: unknown) => {
      heightBeforeOlder.current = null;
      setOlderError(errorMessage(e));
    });
  };

  return (
    <ol
      ref={logRef}
      role="log"
      aria-label="Messages"
      onScroll={(e) => {
        const log = e.currentTarget;
        stickToBottom.current = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
        if (log.scrollTop < 80) older();
      }}
      className="min-h-0 flex-1 space-y-3 overflow-y-auto px-4 py-3"
    >
      {thread?.nextCursor ? (
        <li className="text-center">
          <button type="button" className="link text-sm" disabled={thread.loadingOlder} onClick={older}>
            {thread.loadingOlder ? "Loading…" : "Load older messages"}
          </button>
          {olderError ? <p className="field-error">{olderError}</p> : null}
        </li>
      ) : null}
      {thread && rows.length === 0 && unsent.length === 0 ? <li className="text-center text-sm text-slate-500">No messages yet. Say hello!</li> : null}
      {!thread ? <li className="text-center text-sm text-slate-500">Loading…</li> : null}
      {rows.map((row) =>
        row.kind === "call" ? (
          <CallRow key={`call-${row.call.id}`} call={row.call} />
        ) : (
          <MessageRow
            key={row.message.id}
            message={row.message}
            mine={row.message.sender.id === me.id}
            seenBy={row.message.id === lastMine?.id ? seenBy : []}
            onReply={onReply}
            onEdit={onEdit}
          />
        ),
      )}
      {unsent.map((u) => (
        <UnsentRow key={u.clientId} message={u} />
      ))}
    </ol>
  );
}

function MessageRow({
  message,
  mine,
  seenBy,
  onReply,
  onEdit,
}: {
  message: ChatMessage;
  mine: boolean;
  seenBy: string[];
  onReply(message: ChatMessage): void;
  onEdit(message: ChatMessage): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const deleted = !!message.deletedAt;
  const remove = () => {
    if (!window.confirm("Delete this message for everyone?")) return;
    chatClient()
      .chat.delete.mutate({ messageId: message.id })
      .then((m) => useConversationStore.getState().putMessage(m, false))
      .catch((e: unknown) => setError(errorMessage(e)));
  };
  return (
    <li className={`group flex flex-col ${mine ? "items-end" : "items-start"}`} data-message-id={message.id}>
      <p className="flex items-baseline gap-2 text-xs text-slate-500">
        <span className="font-semibold text-slate-700">{mine ? "You" : message.sender.name}</span>
        <time dateTime={message.createdAt.toISOString()}>{timeText(message.createdAt)}</time>
        {message.editedAt && !deleted ? <span>(edited)</span> : null}
      </p>
      <div
        className={`mt-0.5 max-w-[85%] rounded-2xl px-3 py-2 text-sm ${deleted ? "bg-slate-50 text-slate-400 italic" : mine ? "bg-indigo-600 text-white" : "bg-slate-100 text-slate-900"}`}
      >
        {message.replyTo && !deleted ? (
          <blockquote className={`mb-1 border-l-2 pl-2 text-xs ${mine ? "border-indigo-300 text-indigo-100" : "border-slate-300 text-slate-500"}`}>
            <span className="font-semibold">{message.replyTo.senderName}</span>: <span className="line-clamp-2 break-words">{message.replyTo.body || "Message deleted"}</span>
          </blockquote>
        ) : null}
        {deleted ? <p>This message was deleted</p> : <MessageText text={message.body} className={mine ? "[&_a]:text-white" : ""} />}
      </div>
      {!deleted ? (
        <p className="mt-0.5 flex gap-2 text-xs">
          <button type="button" className="link text-xs" onClick={() => onReply(message)} aria-label={`Reply to ${mine ? "your" : `${message.sender.name}'s`} message`}>
            Reply
          </button>
          {mine ? (
            <>
              <button type="button" className="link text-xs" onClick={() => onEdit(message)}>
                Edit
              </button>
              <button type="button" className="link text-xs text-red-700" onClick={remove}>
                Delete
              </button>
            </>
          ) : null}
        </p>
      ) : null}
      {error ? <p className="field-error text-xs">{error}</p> : null}
      {seenBy.length > 0 ? <p className="mt-0.5 text-xs text-slate-500">Seen by {seenBy.join(", ")}</p> : null}
    </li>
  );
}

function UnsentRow({ message }: { message: UnsentMessage }) {
  const status = message.state === "sending" ? "Sending…" : message.state === "retrying" ? "Not sent, retrying" : `Not sent: ${message.error ?? "refused"}`;
  return (
    <li className="flex flex-col items-end" data-unsent={message.state}>
      <div className="max-w-[85%] rounded-2xl bg-indigo-300 px-3 py-2 text-sm text-white">
        <MessageText text={message.body} />
      </div>
      <p className="mt-0.5 flex gap-2 text-xs text-slate-500">
        <span role="status">{status}</span>
        {message.state !== "sending" ? (
          <button type="button" className="link text-xs" onClick={() => retryUnsent(message.clientId)}>
            Retry now
          </button>
        ) : null}
        {message.state === "failed" ? (
          <button type="button" className="link text-xs" onClick={() => discardUnsent(message.clientId)}>
            Discard
          </button>
        ) : null}
      </p>
    </li>
  );
}

const callName = (kind: CallEntry["kind"]) => (kind === "VIDEO" ? "video call" : "audio call");

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function CallRow({ call }: { call: CallEntry }) {
  const name = callName(call.kind);
  let text: string;
  switch (call.status) {
    case "MISSED":
      text = `Missed ${name} from ${call.startedBy.name}`;
      break;
    case "DECLINED":
      text = `Declined ${name} from ${call.startedBy.name}`;
      break;
    case "CANCELLED":
      text = `Cancelled ${name} from ${call.startedBy.name}`;
      break;
    default:
      text =
        call.answeredAt && call.endedAt
          ? `${name[0]!.toUpperCase()}${name.slice(1)} · ${duration(call.endedAt.getTime() - call.answeredAt.getTime())}`
          : `${call.startedBy.name} started a ${name}`;
  }
  return (
    <li className="flex justify-center" data-call-status={call.status}>
      <p className="rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-600">
        {text} · <time dateTime={call.startedAt.toISOString()}>{timeText(call.startedAt)}</time>
      </p>
    </li>
  );
}

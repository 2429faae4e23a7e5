"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { errorText } from "@/lib/media/errors";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { useEngine } from "./engineRef";

const time = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
};

/** The meeting's text chat: live only (room.chat out, `chat` events in). */
export function ChatPanel() {
  const id = useId();
  const engine = useEngine();
  const messages = useChatStore((s) => s.messages);
  const selfPeerId = useMeetingStore((s) => s.selfPeerId);
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const logRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length]);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const message = text.trim();
    if (!message || !engine || sending) return;
    setSending(true);
    setError(null);
    try {
      await engine.sendChat(message);
      setText("");
    } catch (e) {
      setError(errorText(e, "Could not send the message."));
    } finally {
      setSending(false);
    }
  }

  return (
    <section aria-labelledby={`${id}-heading`} className="flex min-h-0 flex-1 flex-col">
      <h2 id={`${id}-heading`} className="px-4 pt-3 pb-2 text-sm font-semibold tracking-wide text-slate-200 uppercase">
        Chat
      </h2>
      <ol ref={logRef} role="log" aria-label="Chat messages" className="min-h-0 flex-1 space-y-2 overflow-y-auto px-4 pb-2 text-sm">
        {messages.length === 0 ? <li className="text-slate-400">No messages yet.</li> : null}
        {messages.map((m) => (
          <li key={m.messageId}>
            <p className="flex items-baseline gap-2">
              <span className={`font-semibold ${m.peerId === selfPeerId ? "text-indigo-300" : "text-slate-100"}`}>{m.peerId === selfPeerId ? "You" : m.displayName}</span>
              <time dateTime={m.sentAt} className="text-xs text-slate-500">
                {time(m.sentAt)}
              </time>
            </p>
            <p className="break-words whitespace-pre-wrap text-slate-200">{m.text}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={(e) => void send(e)} className="flex gap-2 border-t border-white/10 p-3">
        <label htmlFor={`${id}-message`} className="sr-only">
          Message
        </label>
        <input
          id={`${id}-message`}
          name="message"
          type="text"
          autoComplete="off"
          maxLength={2000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Send a message"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className="min-w-0 flex-1 rounded-lg border border-white/15 bg-slate-800 px-3 py-2 text-sm text-white placeholder:text-slate-500 focus:border-indigo-400 focus:outline-2 focus:outline-indigo-400/40"
        />
        <button type="submit" className="btn-primary" disabled={sending || !text.trim()}>
          Send
        </button>
      </form>
      {error ? (
        <p id={`${id}-error`} role="alert" className="px-3 pb-3 text-sm text-red-300">
          {error}
        </p>
      ) : null}
    </section>
  );
}

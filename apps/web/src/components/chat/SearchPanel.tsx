"use client";

import { useEffect, useId, useState } from "react";
import { errorMessage, trpc } from "@/lib/trpc";
import { MessageText } from "./MessageText";

/** Search within the conversation (newest first). */
export function SearchPanel({ conversationId, onClose }: { conversationId: string; onClose(): void }) {
  const id = useId();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim().slice(0, 200)), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const results = trpc.chat.search.useQuery({ conversationId, query }, { enabled: query.length > 0 });
  return (
    <aside aria-label="Search in conversation" className="flex w-72 shrink-0 flex-col border-l border-slate-200">
      <div className="flex items-center justify-between p-3 pb-0">
        <label htmlFor={`${id}-q`} className="field-label">
          Search messages
        </label>
        <button type="button" className="link text-xs" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="px-3">
        <input id={`${id}-q`} type="search" autoFocus maxLength={200} value={text} onChange={(e) => setText(e.target.value)} className="field-input text-sm" />
      </div>
      {results.error ? <p className="field-error px-3">{errorMessage(results.error)}</p> : null}
      <ol aria-label="Search results" className="min-h-0 flex-1 space-y-2 overflow-y-auto p-3 text-sm">
        {query && results.data?.length === 0 ? <li className="text-slate-500">No messages found.</li> : null}
        {results.data?.map((m) => (
          <li key={m.id} className="rounded-lg bg-slate-50 px-2 py-1.5">
            <p className="text-xs text-slate-500">
              <span className="font-semibold text-slate-700">{m.sender.name}</span> · {m.createdAt.toLocaleString()}
            </p>
            <MessageText text={m.body} />
          </li>
        ))}
      </ol>
    </aside>
  );
}

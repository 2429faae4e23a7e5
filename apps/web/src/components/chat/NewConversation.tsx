"use client";

import { useEffect, useId, useState, type FormEvent } from "react";
import { errorMessage, trpc } from "@/lib/trpc";
import type { ChatUser, ConversationSummary } from "@/lib/chat/types";
import { useConversationStore } from "@/stores/chat";
import { usePeopleSearch } from "./usePeopleSearch";

/** "New conversation": a direct message with one person, or a group with a name and members. */
export function NewConversation({ onClose, onCreated }: { onClose(): void; onCreated(conversationId: string): void }) {
  const id = useId();
  const [kind, setKind] = useState<"direct" | "group">("direct");
  const [title, setTitle] = useState("");
  const [text, setText] = useState("");
  const [members, setMembers] = useState<ChatUser[]>([]);
  const { query, people, searching } = usePeopleSearch(text);
  const done = (conversation: ConversationSummary) => {
    useConversationStore.getState().upsertConversation(conversation);
    onCreated(conversation.id);
  };
  const createDirect = trpc.chat.createDirect.useMutation({ onSuccess: done });
  const createGroup = trpc.chat.createGroup.useMutation({ onSuccess: done });
  const error = createDirect.error ?? createGroup.error;
  const busy = createDirect.isPending || createGroup.isPending;

  const pick = (person: ChatUser) => {
    if (kind === "direct") createDirect.mutate({ userId: person.id });
    else if (!members.some((m) => m.id === person.id)) setMembers([...members, person]);
    setText("");
  };
  // Escape closes the dialog wherever the focus is inside it
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (kind === "group" && title.trim() && members.length > 0) createGroup.mutate({ title: title.trim(), memberIds: members.map((m) => m.id) });
  };

  return (
    <div className="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-slate-950/40 p-4 sm:items-center">
      <form role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} onSubmit={submit} className="card max-w-md">
        <h2 id={`${id}-title`} className="text-xl font-bold tracking-tight">
          New conversation
        </h2>
        <fieldset className="mt-4 flex gap-4 text-sm">
          <legend className="sr-only">Kind</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="kind" checked={kind === "direct"} onChange={() => setKind("direct")} /> Direct message
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="kind" checked={kind === "group"} onChange={() => setKind("group")} /> Group
          </label>
        </fieldset>
        {kind === "group" ? (
          <div className="mt-4">
            <label htmlFor={`${id}-name`} className="field-label">
              Group name
            </label>
            <input id={`${id}-name`} required maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} className="field-input" autoFocus />
          </div>
        ) : null}
        <div className="mt-4">
          <label htmlFor={`${id}-people`} className="field-label">
            {kind === "group" ? "Add people" : "Person"}
          </label>
          <input
            id={`${id}-people`}
            type="search"
            autoComplete="off"
            placeholder="Name or whole email address"
            maxLength={100}
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="field-input"
            autoFocus={kind === "direct"}
          />
          {query ? (
            <ul aria-label="People found" className="mt-2 flex max-h-48 flex-col gap-1 overflow-y-auto">
              {people.length === 0 && !searching ? <li className="text-sm text-slate-500">Nobody found.</li> : null}
              {people.map((p) => (
                <li key={p.id}>
                  <button type="button" disabled={busy} className="w-full rounded-lg px-2 py-1.5 text-left text-sm hover:bg-slate-100" onClick={() => pick(p)}>
                    {kind === "group" ? `Add ${p.name}` : `Message ${p.name}`}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {kind === "group" && members.length > 0 ? (
          <ul aria-label="Members to add" className="mt-3 flex flex-wrap gap-2">
            {members.map((m) => (
              <li key={m.id} className="flex items-center gap-1 rounded-full bg-slate-100 py-1 pr-1 pl-3 text-sm">
                <span className="max-w-48 truncate">{m.name}</span>
                <button
                  type="button"
                  aria-label={`Remove ${m.name}`}
                  className="rounded-full px-1.5 text-slate-500 hover:bg-slate-200"
                  onClick={() => setMembers(members.filter((x) => x.id !== m.id))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {error ? (
          <p role="alert" className="alert-error mt-4">
            {errorMessage(error)}
          </p>
        ) : null}
        <div className="mt-6 flex justify-end gap-3">
          <button type="button" className="btn-secondary" onClick={onClose}>
            Cancel
          </button>
          {kind === "group" ? (
            <button type="submit" className="btn-primary" disabled={busy || !title.trim() || members.length === 0}>
              Create group
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}

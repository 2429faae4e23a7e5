"use client";

import { useId, useState } from "react";
import { errorMessage, trpc } from "@/lib/trpc";
import { useConversationStore } from "@/stores/chat";
import { PresenceDot, usePresence } from "./PresenceDot";
import { usePeopleSearch } from "./usePeopleSearch";
import type { Contact } from "@/lib/chat/types";

/** "Find people" (by name, or by a whole e-mail address) and the contacts list; picking someone opens the direct conversation. */
export function FindPeople({ onOpen }: { onOpen(conversationId: string): void }) {
  const id = useId();
  const [text, setText] = useState("");
  const { query, people, searching, error: searchError } = usePeopleSearch(text);
  const contacts = trpc.user.contacts.useQuery(undefined, { staleTime: 30_000 });
  const createDirect = trpc.chat.createDirect.useMutation({
    onSuccess: (conversation) => {
      useConversationStore.getState().upsertConversation(conversation);
      setText("");
      onOpen(conversation.id);
    },
  });

  return (
    <>
      <section className="p-3">
        <label htmlFor={`${id}-find`} className="field-label">
          Find people
        </label>
        <input
          id={`${id}-find`}
          type="search"
          autoComplete="off"
          placeholder="Name or whole email address"
          value={text}
          maxLength={100}
          onChange={(e) => setText(e.target.value)}
          className="field-input text-sm"
        />
        {createDirect.error ? (
          <p role="alert" className="field-error">
            {errorMessage(createDirect.error)}
          </p>
        ) : null}
        {query ? (
          <ul aria-label="People found" className="mt-2 flex flex-col gap-1">
            {searchError ? (
              <li role="alert" className="field-error px-1">
                {/* the query fetches again by itself (Providers.tsx) */}
                Search failed: {errorMessage(searchError)} Trying again shortly.
              </li>
            ) : people.length === 0 && !searching ? (
              <li className="px-1 text-sm text-slate-500">Nobody found.</li>
            ) : null}
            {people.map((p) => (
              <li key={p.id} className="flex items-center justify-between gap-2 rounded-lg px-2 py-1.5 hover:bg-slate-50">
                <span className="min-w-0 truncate text-sm">{p.name}</span>
                <button
                  type="button"
                  className="btn-secondary px-2 py-1 text-xs"
                  aria-label={`Message ${p.name}`}
                  disabled={createDirect.isPending}
                  onClick={() => createDirect.mutate({ userId: p.id })}
                >
                  Message
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {contacts.data && contacts.data.length > 0 ? (
        <section aria-labelledby={`${id}-contacts`} className="border-t border-slate-200 p-3">
          <h2 id={`${id}-contacts`} className="px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
            Contacts
          </h2>
          <ul aria-label="Contacts" className="mt-2 flex flex-col gap-1">
            {contacts.data.map((c) => (
              <li key={c.id}>
                <ContactItem contact={c} disabled={createDirect.isPending} onPick={() => createDirect.mutate({ userId: c.id })} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function ContactItem({ contact, disabled, onPick }: { contact: Contact; disabled: boolean; onPick(): void }) {
  const presence = usePresence(contact.id, contact);
  return (
    <button type="button" disabled={disabled} onClick={onPick} className="flex w-full items-center gap-2 rounded-lg px-2 py-1.5 text-left text-sm hover:bg-slate-100">
      <PresenceDot online={presence.online} lastSeenAt={presence.lastSeenAt} />
      <span className="min-w-0 truncate">{contact.name}</span>
    </button>
  );
}

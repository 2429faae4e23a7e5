"use client";

import { useId, useState, type FormEvent } from "react";
import { errorMessage, trpc } from "@/lib/trpc";
import type { ChatUser, ConversationSummary, Member } from "@/lib/chat/types";
import { BlockButton } from "./BlockButton";
import { PresenceDot, usePresence } from "./PresenceDot";
import { usePeopleSearch } from "./usePeopleSearch";

/** A group's members; admins rename the group and add or remove people; anyone can leave. */
export function MembersPanel({ conversation, me, onClose, onLeft }: { conversation: ConversationSummary; me: ChatUser; onClose(): void; onLeft(): void }) {
  const id = useId();
  const admin = conversation.myRole === "ADMIN";
  const [title, setTitle] = useState(conversation.title);
  const [text, setText] = useState("");
  const { query, people } = usePeopleSearch(admin ? text : "");
  const rename = trpc.chat.rename.useMutation();
  const addMembers = trpc.chat.addMembers.useMutation({ onSuccess: () => setText("") });
  // someone who left the group, or is blocked with you, is invited: they join when they accept
  const [invitedNote, setInvitedNote] = useState<string | null>(null);
  const removeMember = trpc.chat.removeMember.useMutation();
  const error = rename.error ?? addMembers.error ?? removeMember.error;
  const memberIds = new Set(conversation.members.map((m) => m.id));

  const submitRename = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() && title.trim() !== conversation.title) rename.mutate({ conversationId: conversation.id, title: title.trim() });
  };

  return (
    <aside aria-label="Members" className="flex w-72 shrink-0 flex-col overflow-y-auto border-l border-slate-200 p-3">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold">Members ({conversation.members.length})</h3>
        <button type="button" className="link text-xs" onClick={onClose}>
          Close
        </button>
      </div>
      {admin ? (
        <form onSubmit={submitRename} className="mt-3">
          <label htmlFor={`${id}-title`} className="field-label">
            Group name
          </label>
          <div className="flex gap-2">
            <input id={`${id}-title`} required maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} className="field-input text-sm" />
            <button type="submit" className="btn-secondary mt-1 px-3" disabled={rename.isPending}>
              Rename
            </button>
          </div>
        </form>
      ) : null}
      <ul aria-label="Group members" className="mt-3 flex flex-col gap-1">
        {conversation.members.map((m) => (
          <MemberRow
            key={m.id}
            member={m}
            isMe={m.id === me.id}
            canRemove={admin && m.id !== me.id}
            busy={removeMember.isPending}
            onRemove={() => removeMember.mutate({ conversationId: conversation.id, userId: m.id })}
          />
        ))}
      </ul>
      {admin ? (
        <div className="mt-4">
          <label htmlFor={`${id}-add`} className="field-label">
            Add people
          </label>
          <input
            id={`${id}-add`}
            type="search"
            autoComplete="off"
            maxLength={100}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Name or whole email address"
            className="field-input text-sm"
          />
          {query ? (
            <ul aria-label="People to add" className="mt-2 flex flex-col gap-1">
              {people
                .filter((p) => !memberIds.has(p.id))
                .map((p) => (
                  <li key={p.id}>
                    <button
                      type="button"
                      className="w-full rounded-lg px-2 py-1.5 text-left text-sm hover:bg-slate-100"
                      disabled={addMembers.isPending}
                      onClick={() =>
                        addMembers.mutate(
                          { conversationId: conversation.id, userIds: [p.id] },
                          { onSuccess: (result) => setInvitedNote(result.invited.length ? `${p.name} was invited and joins when they accept.` : null) },
                        )
                      }
                    >
                      Add {p.name}
                    </button>
                  </li>
                ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {invitedNote ? (
        <p role="status" className="mt-3 text-sm text-slate-600">
          {invitedNote}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="alert-error mt-3">
          {errorMessage(error)}
        </p>
      ) : null}
      <button
        type="button"
        className="btn-secondary mt-6 text-red-700"
        disabled={removeMember.isPending}
        onClick={() => {
          if (!window.confirm("Leave this group?")) return;
          removeMember.mutate({ conversationId: conversation.id, userId: me.id }, { onSuccess: onLeft });
        }}
      >
        Leave group
      </button>
    </aside>
  );
}

function MemberRow({ member, isMe, canRemove, busy, onRemove }: { member: Member; isMe: boolean; canRemove: boolean; busy: boolean; onRemove(): void }) {
  const presence = usePresence(member.id, member);
  return (
    <li className="flex items-center gap-2 rounded-lg px-1 py-1 text-sm">
      <PresenceDot online={presence.online} lastSeenAt={presence.lastSeenAt} />
      <span className="min-w-0 flex-1 truncate">
        {member.name}
        {isMe ? " (you)" : ""}
      </span>
      {member.role === "ADMIN" ? <span className="text-xs text-slate-500">Admin</span> : null}
      {isMe || member.isGuest ? null : <BlockButton userId={member.id} name={member.name} />}
      {canRemove ? (
        <button type="button" className="link text-xs text-red-700" disabled={busy} aria-label={`Remove ${member.name}`} onClick={onRemove}>
          Remove
        </button>
      ) : null}
    </li>
  );
}

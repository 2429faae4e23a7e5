"use client";

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { errorMessage } from "@/lib/trpc";
import { chatClient, sendMessage } from "@/lib/chat/live";
import type { ChatMessage } from "@/lib/chat/types";
import { useConversationStore } from "@/stores/chat";

export const MAX_MESSAGE_LENGTH = 4000;
/** typing notices at most this often (the server shows one for about 5 s) */
const TYPING_EVERY_MS = 3000;

/** The text box "Message" with "Send"; also replies (quoting a message) and edits of your own messages. */
export function Composer({
  conversationId,
  replyTo,
  editing,
  onDoneReply,
  onDoneEdit,
}: {
  conversationId: string;
  replyTo: ChatMessage | null;
  editing: ChatMessage | null;
  onDoneReply(): void;
  onDoneEdit(): void;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const lastTyping = useRef(0);
  const box = useRef<HTMLTextAreaElement>(null);

  // starting an edit puts the message's text in the box
  const [editingShown, setEditingShown] = useState<ChatMessage | null>(null);
  if (editing !== editingShown) {
    setEditingShown(editing);
    if (editing) setText(editing.body);
  }
  useEffect(() => {
    if (editing || replyTo) box.current?.focus();
  }, [editing, replyTo]);

  const body = text.trim();
  const tooLong = body.length > MAX_MESSAGE_LENGTH;

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!body || tooLong) return;
    setError(null);
    if (editing) {
      setSaving(true);
      try {
        const edited = await chatClient().chat.edit.mutate({ messageId: editing.id, body });
        useConversationStore.getState().putMessage(edited, false);
        setText("");
        onDoneEdit();
      } catch (e) {
        setError(errorMessage(e));
      } finally {
        setSaving(false);
      }
      return;
    }
    try {
      sendMessage(conversationId, body, replyTo ? { id: replyTo.id, body: replyTo.body, senderName: replyTo.sender.name } : null);
      setText("");
      onDoneReply();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const typed = (value: string) => {
    setText(value);
    const now = Date.now();
    if (!editing && value.trim() && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      try {
        chatClient()
          .chat.typing.mutate({ conversationId })
          .catch(() => undefined);
      } catch {
        // not connected: nobody to tell
      }
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter starts a new line
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
    if (e.key === "Escape" && (editing || replyTo)) {
      setText(editing ? "" : text);
      onDoneEdit();
      onDoneReply();
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="border-t border-slate-200 p-3">
      {replyTo || editing ? (
        <div className="mb-2 flex items-start gap-2 rounded-lg bg-slate-50 px-3 py-1.5 text-xs text-slate-600">
          <p className="min-w-0 flex-1 truncate">
            {editing ? (
              "Editing your message"
            ) : (
              <>
                Replying to <span className="font-semibold">{replyTo!.sender.name}</span>: {replyTo!.body}
              </>
            )}
          </p>
          <button
            type="button"
            className="link text-xs"
            onClick={() => {
              if (editing) setText("");
              onDoneEdit();
              onDoneReply();
            }}
          >
            Cancel
          </button>
        </div>
      ) : null}
      <div className="flex items-end gap-2">
        <label htmlFor={`${id}-message`} className="sr-only">
          Message
        </label>
        <textarea
          ref={box}
          id={`${id}-message`}
          rows={1}
          value={text}
          onChange={(e) => typed(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Write a message"
          aria-invalid={tooLong || !!error || undefined}
          aria-describedby={`${id}-hint`}
          className="field-input mt-0 max-h-40 min-h-10 resize-y text-sm"
        />
        <button type="submit" className="btn-primary" disabled={!body || tooLong || saving}>
          {editing ? "Save" : "Send"}
        </button>
      </div>
      <p id={`${id}-hint`} className={tooLong || error ? "field-error" : "sr-only"} role={error ? "alert" : undefined}>
        {error ??
          (tooLong ? `Messages can be up to ${MAX_MESSAGE_LENGTH.toLocaleString()} characters (${body.length.toLocaleString()} now).` : "Enter sends, Shift+Enter adds a line.")}
      </p>
    </form>
  );
}

"use client";

import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "@qualmeet/client";
import type { RandomSession } from "@/lib/random/session";
import { useRandomStore } from "@/lib/random/store";

const APPEAL_MAX = 1000;

/** The ban a Start met: why, until when, and the appeal (one waiting at a time: then it says so). */
export function BanNotice({ session }: { session: RandomSession }) {
  const id = useId();
  const ban = useRandomStore((s) => s.ban);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!ban) return null;

  async function appeal(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!message.trim()) {
      setError("Write why the ban should be lifted.");
      return;
    }
    setBusy(true);
    try {
      await session.appeal(ban!.banId, message);
      setError(null);
      setMessage("");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const until = ban.until === null ? "permanently" : `until ${new Date(ban.until).toLocaleString()}`;
  return (
    <section role="alert" className="card border-red-200" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold text-red-800">
        You are banned from random chat
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Banned {until}. Reason: <span id="random-ban-reason">{ban.reason}</span>
      </p>
      {ban.appealPending ? (
        <p id="random-appeal-pending" className="mt-3 text-sm text-slate-700">
          Your appeal is pending: a moderator will review it.
        </p>
      ) : (
        <form onSubmit={(e) => void appeal(e)} noValidate className="mt-3 flex flex-col gap-2">
          <label htmlFor={`${id}-appeal`} className="field-label">
            Appeal: why should the ban be lifted?
          </label>
          <textarea
            id={`${id}-appeal`}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            maxLength={APPEAL_MAX}
            rows={4}
            className="field-input"
            aria-describedby={`${id}-count`}
            aria-invalid={error ? true : undefined}
          />
          <p id={`${id}-count`} className="text-xs text-slate-500">
            {message.length} / {APPEAL_MAX} characters
          </p>
          {error ? (
            <p role="alert" className="field-error">
              {error}
            </p>
          ) : null}
          <button type="submit" className="btn-primary self-start" disabled={busy} aria-busy={busy}>
            Send appeal
          </button>
        </form>
      )}
    </section>
  );
}

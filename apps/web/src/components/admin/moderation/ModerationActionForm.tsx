"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { errorMessage, fieldErrors } from "@/lib/trpc";
import { BAN_DURATIONS, BAN_TARGETS, type BanTarget } from "./format";

export interface ActionChoice {
  /** the reason every action asks for */
  reason: string;
  target: BanTarget;
  durationMinutes: number | null;
}

interface Props {
  /** the form's heading, e.g. "Ban 3 reported people" */
  title: string;
  /** the submit button's words */
  submitLabel: string;
  /** a ban asks what to ban and for how long; other actions a reason only */
  asksForBan?: boolean;
  /** what the reason is for (the person reads a warning's or a ban's reason) */
  reasonHint: string;
  danger?: boolean;
  onSubmit: (choice: ActionChoice) => Promise<void>;
  onCancel: () => void;
}

/**
 * The form under a moderator's action: a reason (always), what to ban and for how long (bans). The reason field
 * takes the focus when it opens; Cancel closes it. The server's refusal (someone else acted first, a
 * missing reason) is shown in place, and the form stays open with what was typed.
 */
export function ModerationActionForm({ title, submitLabel, asksForBan = false, reasonHint, danger = false, onSubmit, onCancel }: Props) {
  const id = useId();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [reason, setReason] = useState("");
  const [target, setTarget] = useState<BanTarget>("device");
  const [duration, setDuration] = useState(String(BAN_DURATIONS[1]!.minutes));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reasonError, setReasonError] = useState<string | null>(null);

  useEffect(() => reasonRef.current?.focus(), []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!reason.trim()) {
      setReasonError("Give a reason.");
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setReasonError(null);
    try {
      await onSubmit({ reason, target, durationMinutes: duration === "forever" ? null : Number(duration) });
    } catch (e) {
      const fields = fieldErrors(e);
      if (fields.reason) setReasonError(fields.reason);
      else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate className="mt-3 flex flex-col gap-3 rounded-xl border border-slate-300 bg-slate-50 p-4">
      <h3 id={`${id}-title`} className="font-semibold">
        {title}
      </h3>
      {asksForBan ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor={`${id}-target`} className="field-label">
              What to ban
            </label>
            <select id={`${id}-target`} className="field-input" value={target} onChange={(e) => setTarget(e.target.value as BanTarget)}>
              {BAN_TARGETS.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-duration`} className="field-label">
              For how long
            </label>
            <select id={`${id}-duration`} className="field-input" value={duration} onChange={(e) => setDuration(e.target.value)}>
              {BAN_DURATIONS.map((d) => (
                <option key={d.label} value={d.minutes === null ? "forever" : String(d.minutes)}>
                  {d.label}
                </option>
              ))}
            </select>
          </div>
        </div>
      ) : null}
      <div>
        <label htmlFor={`${id}-reason`} className="field-label">
          Reason
        </label>
        <textarea
          id={`${id}-reason`}
          ref={reasonRef}
          rows={2}
          maxLength={500}
          className="field-input"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-describedby={`${id}-hint${reasonError ? ` ${id}-reason-error` : ""}`}
          aria-invalid={reasonError ? true : undefined}
          required
        />
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {reasonHint}
        </p>
        {reasonError ? (
          <p id={`${id}-reason-error`} role="alert" className="field-error">
            {reasonError}
          </p>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={danger ? "btn-danger" : "btn-primary"} disabled={busy} aria-busy={busy}>
          {submitLabel}
        </button>
        <button type="button" className="btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

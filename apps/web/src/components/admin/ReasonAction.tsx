"use client";
// Every admin action asks why before it runs (the reason goes to the audit log with it): a button opens a small
// form with the reason, any extra fields the action needs, and the confirming button. Keyboard first: the reason
// box takes the focus when the form opens, Escape there or Cancel closes it and gives the focus back to the button.
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { errorMessage } from "@/lib/trpc";

interface ReasonActionProps {
  /** the opening button's text, e.g. "Remove" */
  label: string;
  /** the opening button's accessible name when its text alone is ambiguous in a list, e.g. "Remove Rita from Standup" */
  accessibleLabel?: string;
  /** the confirming button's text, e.g. "Remove Rita" */
  confirmLabel: string;
  danger?: boolean;
  /** extra fields inside the form (read from the FormData given to `run`) */
  children?: ReactNode;
  /** what the page says once it is done */
  doneMessage: string;
  run: (reason: string, form: FormData) => Promise<unknown>;
}

export function ReasonAction({ label, accessibleLabel, confirmLabel, danger = false, children, doneMessage, run }: ReasonActionProps) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const formId = useId();
  const reasonId = useId();

  const close = () => {
    setOpen(false);
    setError(null);
    opener.current?.focus();
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      await run(String(form.get("reason") ?? ""), form);
      setOpen(false);
      setDone(true);
      router.refresh();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="flex flex-col gap-2">
      <button
        ref={opener}
        type="button"
        className={danger ? "btn-danger" : "btn-secondary"}
        aria-label={accessibleLabel}
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        onClick={() => {
          setDone(false);
          setOpen((was) => !was);
        }}
      >
        {label}
      </button>
      {done ? (
        <p role="status" className="text-sm text-green-800">
          {doneMessage}
        </p>
      ) : null}
      {open ? (
        <form id={formId} onSubmit={submit} className="flex w-full max-w-md flex-col gap-3 rounded-xl border border-slate-200 bg-slate-50 p-3">
          {children}
          <div>
            <label htmlFor={reasonId} className="field-label">
              Reason (kept in the audit log)
            </label>
            <textarea
              id={reasonId}
              name="reason"
              required
              minLength={3}
              maxLength={500}
              rows={2}
              className="field-input"
              autoFocus
              onKeyDown={(event) => {
                if (event.key === "Escape") close();
              }}
            />
          </div>
          {error ? (
            <p role="alert" className="alert-error">
              {error}
            </p>
          ) : null}
          <div className="flex flex-wrap gap-2">
            <button type="submit" className={danger ? "btn-danger" : "btn-primary"} disabled={pending} aria-busy={pending}>
              {confirmLabel}
            </button>
            <button type="button" className="btn-secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

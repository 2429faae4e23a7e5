"use client";

import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "@qualmeet/client";
import type { RandomSession } from "@/lib/random/session";
import { useRandomStore } from "@/lib/random/store";
import { REPORT_REASON_LABELS, type ReportReason } from "@/lib/random/types";

/** Report or block the partner, in the call or right after it ended (the server knows who from the match id). */
export function ReportBlock({ session }: { session: RandomSession }) {
  const reportable = useRandomStore((s) => s.reportable);
  // another partner: a fresh form
  return reportable ? <SafetyActions key={reportable.matchId} session={session} reportable={reportable} /> : null;
}

function SafetyActions({ session, reportable }: { session: RandomSession; reportable: { matchId: string; partnerName: string } }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; ok: boolean } | null>(null);

  async function act(what: () => Promise<string>) {
    setBusy(true);
    try {
      setResult({ text: await what(), ok: true });
      setOpen(false);
    } catch (error) {
      setResult({ text: errorMessage(error), ok: false });
    } finally {
      setBusy(false);
    }
  }

  function report(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const reason = form.get("reason") as ReportReason | null;
    if (!reason) {
      setResult({ text: "Choose a reason.", ok: false });
      return;
    }
    void act(() => session.report(reportable.matchId, reason, String(form.get("comment") ?? "")));
  }

  return (
    <section className="card flex flex-col gap-3" aria-labelledby={`${id}-title`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={`${id}-title`} className="text-sm font-semibold text-slate-700">
          Safety: {reportable.partnerName}
        </h2>
        <div className="flex flex-wrap gap-2">
          <button type="button" className="btn-secondary" aria-expanded={open} aria-controls={`${id}-form`} onClick={() => setOpen(!open)}>
            Report {reportable.partnerName}
          </button>
          <button type="button" className="btn-danger" disabled={busy} onClick={() => void act(() => session.block(reportable.matchId))}>
            Block {reportable.partnerName}
          </button>
        </div>
      </div>
      {open ? (
        <form id={`${id}-form`} onSubmit={report} noValidate className="flex flex-col gap-3">
          <fieldset>
            <legend className="field-label">Why are you reporting {reportable.partnerName}?</legend>
            <div className="grid gap-1 sm:grid-cols-2">
              {(Object.keys(REPORT_REASON_LABELS) as ReportReason[]).map((reason) => (
                <label key={reason} className="flex items-center gap-2 text-sm">
                  <input type="radio" name="reason" value={reason} />
                  {REPORT_REASON_LABELS[reason]}
                </label>
              ))}
            </div>
          </fieldset>
          <div>
            <label htmlFor={`${id}-comment`} className="field-label">
              What happened (optional)
            </label>
            <textarea id={`${id}-comment`} name="comment" maxLength={500} rows={3} className="field-input" />
          </div>
          <button type="submit" className="btn-primary self-start" disabled={busy} aria-busy={busy}>
            Send report
          </button>
        </form>
      ) : null}
      {result ? (
        <p role={result.ok ? "status" : "alert"} id="random-safety-result" className={result.ok ? "text-sm text-emerald-700" : "alert-error"}>
          {result.text}
        </p>
      ) : null}
    </section>
  );
}

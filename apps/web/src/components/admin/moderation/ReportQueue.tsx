"use client";

import { useEffect, useId, useRef, useState } from "react";
import { TRPCClientError } from "@trpc/client";
import type { RouterInputs } from "@qualmeet/api";
import { getRealtimeClient, useRealtimeStatus } from "@/lib/realtime";
import { errorMessage, trpc } from "@/lib/trpc";
import { REPORT_REASON_LABELS } from "./format";
import { ModerationActionForm, type ActionChoice } from "./ModerationActionForm";
import { ReportCard } from "./ReportCard";

const STATUSES = [
  { value: "open", label: "Open" },
  { value: "banned", label: "Banned" },
  { value: "warned", label: "Warned" },
  { value: "dismissed", label: "Dismissed" },
] as const;
type Status = (typeof STATUSES)[number]["value"];
type Reason = NonNullable<RouterInputs["admin"]["reports"]["list"]["reason"]>;

/** age filter: [min hours, max hours] */
const AGES: Record<string, { label: string; minAgeHours?: number; maxAgeHours?: number }> = {
  any: { label: "Any age" },
  hour: { label: "Under 1 hour", maxAgeHours: 1 },
  day: { label: "Under 24 hours", maxAgeHours: 24 },
  older: { label: "Over 24 hours", minAgeHours: 24 },
  week: { label: "Over 7 days", minAgeHours: 24 * 7 },
};

type Action = { kind: "dismiss" | "warn" | "ban"; reportIds: string[] };
const PAGE = 25;

/**
 * The report queue, oldest first, paged on the server. A report filed or handled anywhere reloads the rows at once
 * (adminLive.reportQueue over the realtime socket). Select several to ban them together.
 */
export function ReportQueue({ realtimeUrl }: { realtimeUrl: string }) {
  const id = useId();
  const utils = trpc.useUtils();
  const [status, setStatus] = useState<Status>("open");
  const [reason, setReason] = useState<Reason | "">("");
  const [ageKey, setAgeKey] = useState("any");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<Action | null>(null);
  /** the outcome of the last action, where the focus goes when its form closes */
  const [outcome, setOutcome] = useState<{ text: string; failed: boolean } | null>(null);
  const outcomeRef = useRef<HTMLParagraphElement>(null);
  const live = useRealtimeStatus((s) => s.status);

  const { minAgeHours, maxAgeHours } = AGES[ageKey]!;
  const query = trpc.admin.reports.list.useInfiniteQuery(
    { status, reason: reason || undefined, minAgeHours, maxAgeHours, limit: PAGE },
    { getNextPageParam: (last) => last.nextCursor },
  );
  const reports = query.data?.pages.flatMap((page) => page.items) ?? [];

  useEffect(() => {
    const subscription = getRealtimeClient(realtimeUrl).adminLive.reportQueue.subscribe(undefined, {
      // once subscribed, the rows are read again: a report filed while the feed was connecting is not missed
      onStarted: () => void utils.admin.reports.list.invalidate(),
      onData: () => void utils.admin.reports.list.invalidate(),
      onError: (error) => console.error("[admin] the report queue's live feed failed", error),
    });
    return () => subscription.unsubscribe();
  }, [realtimeUrl, utils]);

  const dismiss = trpc.admin.reports.dismiss.useMutation();
  const warn = trpc.admin.reports.warn.useMutation();
  const ban = trpc.admin.reports.ban.useMutation();

  /** the form closes and the focus moves to what happened, which stays when the report leaves the list */
  function finish(text: string, failed: boolean) {
    setOutcome({ text, failed });
    setAction(null);
    setSelected(new Set());
    requestAnimationFrame(() => outcomeRef.current?.focus());
    void utils.admin.reports.list.invalidate();
  }

  async function perform(current: Action, choice: ActionChoice) {
    const [reportId] = current.reportIds;
    try {
      if (current.kind === "dismiss") await dismiss.mutateAsync({ reportId: reportId!, reason: choice.reason });
      else if (current.kind === "warn") await warn.mutateAsync({ reportId: reportId!, reason: choice.reason });
      else await ban.mutateAsync({ reportIds: current.reportIds, target: choice.target, reason: choice.reason, durationMinutes: choice.durationMinutes });
    } catch (error) {
      // another moderator handled it first, or it is gone: the report leaves the list, so the message cannot stay in its form
      const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
      if (code === "CONFLICT" || code === "NOT_FOUND") return finish(errorMessage(error), true);
      throw error;
    }
    const count = current.reportIds.length;
    finish(
      current.kind === "ban"
        ? `Banned: ${count} report${count === 1 ? "" : "s"} handled.`
        : current.kind === "warn"
          ? "Warned: they will see it at their next visit."
          : "Dismissed.",
      false,
    );
  }

  const actionForm = (current: Action) => {
    const many = current.reportIds.length > 1;
    const words = {
      dismiss: { title: "Dismiss this report", submit: "Dismiss report", hint: "Why no action is needed (kept in the audit log)." },
      warn: { title: "Warn the reported person", submit: "Send warning", hint: "The person reads this at their next visit of random chat." },
      ban: {
        title: many ? `Ban the people of ${current.reportIds.length} reports` : "Ban the reported person",
        submit: many ? `Ban ${current.reportIds.length}` : "Ban",
        hint: "The banned person reads this reason when they press Start.",
      },
    }[current.kind];
    return (
      <ModerationActionForm
        title={words.title}
        submitLabel={words.submit}
        reasonHint={words.hint}
        asksForBan={current.kind === "ban"}
        danger={current.kind === "ban"}
        onSubmit={(choice) => perform(current, choice)}
        onCancel={() => setAction(null)}
      />
    );
  };

  const toggle = (reportId: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(reportId);
      else next.delete(reportId);
      return next;
    });
  const bulk = action && action.reportIds.length > 1;

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
          Reports
        </h1>
        <p className="text-sm text-slate-600" aria-live="polite">
          {live === "open" ? "Live: new reports appear here by themselves." : "Connecting the live feed…"}
        </p>
      </div>

      <form className="mt-4 grid gap-3 sm:grid-cols-3" onSubmit={(e) => e.preventDefault()} aria-label="Filter reports">
        <div>
          <label htmlFor={`${id}-status`} className="field-label">
            Status
          </label>
          <select id={`${id}-status`} className="field-input" value={status} onChange={(e) => setStatus(e.target.value as Status)}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-reason`} className="field-label">
            Reason
          </label>
          <select id={`${id}-reason`} className="field-input" value={reason} onChange={(e) => setReason(e.target.value as Reason | "")}>
            <option value="">Any reason</option>
            {Object.entries(REPORT_REASON_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-age`} className="field-label">
            Age
          </label>
          <select id={`${id}-age`} className="field-input" value={ageKey} onChange={(e) => setAgeKey(e.target.value)}>
            {Object.entries(AGES).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </form>

      {outcome ? (
        <p ref={outcomeRef} tabIndex={-1} role={outcome.failed ? "alert" : "status"} className={`mt-4 text-sm ${outcome.failed ? "text-red-700" : "text-emerald-800"}`}>
          {outcome.text}
        </p>
      ) : null}

      {status === "open" ? (
        <div className="mt-4 flex flex-wrap items-center gap-2">
          <p className="text-sm text-slate-700">{selected.size} selected</p>
          <button type="button" className="btn-danger" disabled={selected.size === 0} onClick={() => setAction({ kind: "ban", reportIds: [...selected] })}>
            Ban selected
          </button>
        </div>
      ) : null}
      {bulk ? actionForm(action) : null}

      {query.error ? (
        <p role="alert" className="field-error mt-4">
          {errorMessage(query.error)}
        </p>
      ) : null}
      {query.isPending ? <p className="mt-4 text-sm text-slate-600">Loading reports…</p> : null}
      {query.isSuccess && reports.length === 0 ? <p className="mt-4 text-sm text-slate-600">No reports here.</p> : null}

      <ul className="mt-4 flex flex-col gap-3" aria-label="Reports, oldest first">
        {reports.map((report) => (
          <ReportCard key={report.id} report={report} selected={selected.has(report.id)} onSelect={(on) => toggle(report.id, on)}>
            {report.status === "open" ? (
              <>
                <div className="mt-3 flex flex-wrap gap-2" role="group" aria-label={`Actions on the report against ${report.reported.name}`}>
                  <button type="button" className="btn-secondary" onClick={() => setAction({ kind: "dismiss", reportIds: [report.id] })}>
                    Dismiss
                  </button>
                  <button type="button" className="btn-secondary" onClick={() => setAction({ kind: "warn", reportIds: [report.id] })}>
                    Warn
                  </button>
                  <button type="button" className="btn-danger" onClick={() => setAction({ kind: "ban", reportIds: [report.id] })}>
                    Ban…
                  </button>
                </div>
                {action && !bulk && action.reportIds[0] === report.id ? actionForm(action) : null}
              </>
            ) : null}
          </ReportCard>
        ))}
      </ul>
      {query.hasNextPage ? (
        <button type="button" className="btn-secondary mt-4" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load older reports
        </button>
      ) : null}
    </section>
  );
}

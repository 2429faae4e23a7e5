"use client";

import { useId, useRef, useState } from "react";
import type { RouterOutputs } from "@qualmeet/api";
import { errorMessage, fieldErrors, trpc } from "@/lib/trpc";
import { banUntil, REPORT_REASON_LABELS, when } from "./format";

type Appeal = RouterOutputs["admin"]["appeals"]["list"]["items"][number];
type Status = "pending" | "accepted" | "rejected";
const PAGE = 25;

/** An appeal with its ban and the reports behind it; a note (required) and Accept or Reject. */
function AppealItem({ appeal, onDecided }: { appeal: Appeal; onDecided: (text: string) => Promise<void> }) {
  const id = useId();
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const accept = trpc.admin.appeals.accept.useMutation();
  const reject = trpc.admin.appeals.reject.useMutation();
  const busy = accept.isPending || reject.isPending;

  async function decide(decision: "accept" | "reject") {
    if (!note.trim()) {
      setError("Write a note: why you accept or reject the appeal.");
      noteRef.current?.focus();
      return;
    }
    setError(null);
    try {
      if (decision === "accept") await accept.mutateAsync({ appealId: appeal.id, note });
      else await reject.mutateAsync({ appealId: appeal.id, note });
      await onDecided(decision === "accept" ? `Accepted: the ban on ${appeal.ban.value} is lifted.` : "Rejected: the ban stays.");
    } catch (e) {
      setError(fieldErrors(e).note ?? errorMessage(e));
    }
  }

  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={`${id}-title`} data-appeal-id={appeal.id}>
      <h3 id={`${id}-title`} className="font-semibold">
        Appeal by {appeal.user?.name ?? "a deleted user"} of a {appeal.ban.kind} ban
      </h3>
      <p className="text-sm text-slate-600">{when(appeal.createdAt)}</p>
      <blockquote className="mt-2 border-l-4 border-slate-300 pl-3 text-sm whitespace-pre-wrap">{appeal.message}</blockquote>
      <div className="mt-3 grid gap-4 text-sm sm:grid-cols-2">
        <div>
          <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">The ban</h4>
          <p>
            {appeal.ban.kind} <span className="font-mono break-all">{appeal.ban.value}</span>,{" "}
            {appeal.ban.liftedAt ? `lifted ${when(appeal.ban.liftedAt)}` : banUntil(appeal.ban.expiresAt)}
          </p>
          <p>Reason: {appeal.ban.reason}</p>
          <p className="text-slate-600">
            By {appeal.ban.issuedBy ?? "a former moderator"} {when(appeal.ban.createdAt)}
          </p>
        </div>
        <div>
          <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Its reports</h4>
          {appeal.reports.length === 0 ? (
            <p className="text-slate-600">None: banned by name.</p>
          ) : (
            <ul className="flex flex-col gap-1">
              {appeal.reports.map((r) => (
                <li key={r.id}>
                  {REPORT_REASON_LABELS[r.reason] ?? r.reason} by {r.reporter}, {when(r.createdAt)}
                  {r.comment ? (
                    <>
                      : <q>{r.comment}</q>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {appeal.status === "pending" ? (
        <form
          className="mt-3 flex flex-col gap-2"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void decide("accept");
          }}
          aria-label={`Decide the appeal by ${appeal.user?.name ?? "a deleted user"}`}
        >
          <label htmlFor={`${id}-note`} className="field-label">
            Note
          </label>
          <textarea
            id={`${id}-note`}
            ref={noteRef}
            rows={2}
            maxLength={500}
            className="field-input"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-hint`}
          />
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            Why you decide so (kept with the appeal and in the audit log). Accepting lifts the ban; the person is told at their next visit.
          </p>
          {error ? (
            <p role="alert" className="field-error">
              {error}
            </p>
          ) : null}
          <div className="flex flex-wrap gap-2">
            <button type="submit" className="btn-primary" disabled={busy}>
              Accept and lift ban
            </button>
            <button type="button" className="btn-danger" disabled={busy} onClick={() => void decide("reject")}>
              Reject
            </button>
          </div>
        </form>
      ) : (
        <p className="mt-3 text-sm text-slate-700">
          {appeal.status === "accepted" ? "Accepted" : "Rejected"} by {appeal.decidedBy ?? "a former moderator"} {when(appeal.decidedAt)}: {appeal.note}
        </p>
      )}
    </li>
  );
}

/** Appeals waiting for a moderator, oldest first (answered ones newest first), paged on the server. */
export function AppealsQueue() {
  const id = useId();
  const utils = trpc.useUtils();
  const [status, setStatus] = useState<Status>("pending");
  const [done, setDone] = useState<string | null>(null);
  const query = trpc.admin.appeals.list.useInfiniteQuery({ status, limit: PAGE }, { getNextPageParam: (last) => last.nextCursor });
  const appeals = query.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
        Appeals
      </h1>
      <div className="mt-4 max-w-xs">
        <label htmlFor={`${id}-status`} className="field-label">
          Status
        </label>
        <select id={`${id}-status`} className="field-input" value={status} onChange={(e) => setStatus(e.target.value as Status)}>
          <option value="pending">Waiting</option>
          <option value="accepted">Accepted</option>
          <option value="rejected">Rejected</option>
        </select>
      </div>
      {done ? (
        <p role="status" className="mt-4 text-sm text-emerald-800">
          {done}
        </p>
      ) : null}
      {query.error ? (
        <p role="alert" className="field-error mt-4">
          {errorMessage(query.error)}
        </p>
      ) : null}
      {query.isPending ? <p className="mt-4 text-sm text-slate-600">Loading appeals…</p> : null}
      {query.isSuccess && appeals.length === 0 ? <p className="mt-4 text-sm text-slate-600">No appeals here.</p> : null}
      <ul className="mt-4 flex flex-col gap-3" aria-label="Appeals">
        {appeals.map((appeal) => (
          <AppealItem
            key={appeal.id}
            appeal={appeal}
            onDecided={async (text) => {
              setDone(text);
              await utils.admin.appeals.list.invalidate();
            }}
          />
        ))}
      </ul>
      {query.hasNextPage ? (
        <button type="button" className="btn-secondary mt-4" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load more appeals
        </button>
      ) : null}
    </section>
  );
}

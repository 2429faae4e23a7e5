"use client";

import type { RouterOutputs } from "@qualmeet/api";
import { age, REPORT_REASON_LABELS, when } from "./format";

export type ReportRow = RouterOutputs["admin"]["reports"]["list"]["items"][number];
type Side = ReportRow["reporter"] | ReportRow["reported"];

/** One side of a report: who, on which device and address, and what they were reported and banned for before. */
function PersonFacts({ label, side }: { label: string; side: Side }) {
  return (
    <div className="min-w-0">
      <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{label}</h4>
      <p className="font-medium">
        {side.name} <span className="text-xs font-normal text-slate-500">{side.isGuest ? "(guest)" : "(account)"}</span>
      </p>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-xs text-slate-700">
        <dt>User</dt>
        <dd className="font-mono break-all">{side.id}</dd>
        <dt>Device</dt>
        <dd className="font-mono break-all">{side.deviceId}</dd>
        <dt>IP</dt>
        <dd className="font-mono break-all">{side.ip}</dd>
        <dt>Reported before</dt>
        <dd>{side.priorReportsAgainst}</dd>
        {"priorReportsFiled" in side ? (
          <>
            <dt>Reports filed before</dt>
            <dd>{side.priorReportsFiled}</dd>
          </>
        ) : null}
        <dt>Bans</dt>
        <dd>
          {side.bans.total === 0 ? (
            "none"
          ) : (
            <ul>
              {side.bans.recent.map((ban) => (
                <li key={ban.id}>
                  {ban.kind} ban {ban.active ? "(active)" : ""} {when(ban.createdAt)}: {ban.reason}
                </li>
              ))}
              {side.bans.total > side.bans.recent.length ? <li>and {side.bans.total - side.bans.recent.length} more</li> : null}
            </ul>
          )}
        </dd>
      </dl>
    </div>
  );
}

interface Props {
  report: ReportRow;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  /** the action buttons and their form (open reports only) */
  children?: React.ReactNode;
}

/** A report in the queue with everything a decision needs; never any media. */
export function ReportCard({ report, selected, onSelect, children }: Props) {
  const titleId = `report-${report.id}-title`;
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={titleId} data-report-id={report.id}>
      <div className="flex flex-wrap items-start gap-3">
        {report.status === "open" ? (
          <input
            type="checkbox"
            className="mt-1 size-5"
            checked={selected}
            onChange={(e) => onSelect(e.target.checked)}
            aria-label={`Select the report against ${report.reported.name} by ${report.reporter.name}`}
          />
        ) : null}
        <div className="min-w-0 flex-1">
          <h3 id={titleId} className="font-semibold">
            {REPORT_REASON_LABELS[report.reason] ?? report.reason}: {report.reported.name}, reported by {report.reporter.name}
          </h3>
          <p className="text-sm text-slate-600">
            <time dateTime={report.createdAt.toISOString()} title={when(report.createdAt)}>
              {age(report.createdAt)}
            </time>{" "}
            · random-chat match <span className="font-mono text-xs">{report.matchId}</span>
          </p>
          <p className="mt-2 text-sm">{report.comment ? <q>{report.comment}</q> : <span className="text-slate-500">No comment.</span>}</p>
          {report.status !== "open" ? (
            <p className="mt-2 text-sm text-slate-700">
              {report.status === "banned" ? "Banned" : report.status === "warned" ? "Warned" : "Dismissed"} by {report.resolvedBy ?? "a former moderator"} {when(report.resolvedAt)}
              : {report.resolution}
            </p>
          ) : null}
        </div>
      </div>
      <div className="mt-3 grid gap-4 sm:grid-cols-2">
        <PersonFacts label="Reported" side={report.reported} />
        <PersonFacts label="Reporter" side={report.reporter} />
      </div>
      {children}
    </li>
  );
}

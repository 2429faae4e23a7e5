"use client";

import Link from "next/link";
import { statusLabel } from "@/lib/labels";
import { errorMessage, trpc } from "@/lib/trpc";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function MyMeetings() {
  const list = trpc.meeting.listMine.useQuery({ limit: 20 });
  return (
    <section aria-labelledby="my-meetings-heading" className="card">
      <h2 id="my-meetings-heading" className="text-lg font-semibold">
        My meetings
      </h2>
      {list.isPending ? (
        <p className="mt-3 text-sm text-slate-500" role="status">
          Loading your meetings…
        </p>
      ) : list.error ? (
        <div role="alert" className="alert-error mt-3 flex items-center justify-between gap-3">
          <span>{errorMessage(list.error)}</span>
          <button type="button" className="btn-secondary" onClick={() => void list.refetch()}>
            Retry
          </button>
        </div>
      ) : list.data.items.length === 0 ? (
        <p className="mt-3 text-sm text-slate-500">No meetings yet. Start one with “New meeting”.</p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100" aria-label="Meetings">
          {list.data.items.map((meeting) => (
            <li key={meeting.id} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 py-3">
              <div className="min-w-0">
                <Link href={`/m/${meeting.code}`} className="link block truncate">
                  {meeting.title}
                </Link>
                <p className="text-xs text-slate-500">
                  <span className="font-mono">{meeting.code}</span>
                  {" · "}
                  <time dateTime={meeting.createdAt.toISOString()}>{dateFormat.format(meeting.createdAt)}</time>
                  {meeting.isHost ? " · you host" : ` · hosted by ${meeting.host.name}`}
                </p>
              </div>
              <StatusBadge status={meeting.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function StatusBadge({ status }: { status: "SCHEDULED" | "LIVE" | "ENDED" }) {
  const tone = status === "LIVE" ? "bg-green-100 text-green-800" : status === "ENDED" ? "bg-slate-200 text-slate-700" : "bg-indigo-50 text-indigo-800";
  return <span className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${tone}`}>{statusLabel[status]}</span>;
}

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { EndMeetingAction, RemoveParticipantAction } from "@/components/admin/MeetingActions";
import { Pager } from "@/components/admin/Pager";
import { RefreshButton } from "@/components/admin/RefreshButton";
import { formatDuration } from "@/components/admin/format";
import { modeLabel } from "@/lib/labels";
import { requireAdmin } from "@/server/admin";
import { serverCaller } from "@/server/session";

export const metadata: Metadata = { title: "Meetings" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Live meetings, newest first, 20 at a time (keyset): who is in each, where its media runs, for how long. */
export default async function AdminMeetingsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin("/admin/meetings");
  const after = (await searchParams).after;
  const cursor = typeof after === "string" ? after : null;
  const page = await (await serverCaller()).admin.meetings.live({ cursor, limit: 20 }).catch((error: unknown) => {
    // a damaged or made-up page link starts over at the first page
    if (cursor && error instanceof TRPCError && error.code === "BAD_REQUEST") redirect("/admin/meetings");
    throw error;
  });
  const now = new Date();

  return (
    <section className="card" aria-labelledby="meetings-heading">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 id="meetings-heading" className="text-2xl font-bold tracking-tight">
          Live meetings
        </h1>
        <RefreshButton />
      </div>
      <p className="mt-1 text-sm text-slate-600">Ending a meeting or removing someone works as the host&apos;s own: a removed person cannot rejoin on the same link.</p>
      {page.items.length === 0 ? (
        <p className="mt-6 text-slate-600">No meeting is live right now.</p>
      ) : (
        <ul className="mt-6 flex flex-col gap-4" aria-label="Live meetings">
          {page.items.map((meeting) => (
            <li key={meeting.id} className="rounded-xl border border-slate-200 p-4" aria-labelledby={`meeting-${meeting.id}`}>
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 id={`meeting-${meeting.id}`} className="text-lg font-semibold break-words">
                    {meeting.title}
                  </h2>
                  <p className="text-sm text-slate-600">
                    {meeting.code} · host {meeting.host.name}
                  </p>
                </div>
                <EndMeetingAction meeting={{ id: meeting.id, title: meeting.title }} />
              </div>
              <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="font-medium text-slate-500">Mode</dt>
                <dd>{modeLabel[meeting.mode]}</dd>
                <dt className="font-medium text-slate-500">Node</dt>
                <dd className="break-all">{meeting.node ?? "none (nobody connected)"}</dd>
                <dt className="font-medium text-slate-500">Running for</dt>
                <dd>{formatDuration(meeting.startedAt, now)}</dd>
              </dl>
              <h3 className="mt-3 text-sm font-semibold">People ({meeting.participants.length})</h3>
              <ul className="mt-2 flex flex-col divide-y divide-slate-100 text-sm" aria-label={`People in ${meeting.title}`}>
                {meeting.participants.map((person) => (
                  <li key={person.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
                    <span className="break-words">
                      {person.displayName}
                      {person.role === "HOST" ? <span className="ml-1 text-slate-500">(host)</span> : null} · {formatDuration(person.joinedAt, now)}
                    </span>
                    <RemoveParticipantAction meeting={{ id: meeting.id, title: meeting.title }} person={{ userId: person.userId, displayName: person.displayName }} />
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <Pager
        label="Pages of live meetings"
        firstHref="/admin/meetings"
        nextHref={page.nextCursor ? `/admin/meetings?${new URLSearchParams({ after: page.nextCursor })}` : null}
        onFirstPage={!cursor}
      />
    </section>
  );
}

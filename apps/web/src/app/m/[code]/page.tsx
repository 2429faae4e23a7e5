import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { getDb } from "@qualmeet/db";
import { Brand } from "@/components/Brand";
import { CopyLinkButton } from "@/components/CopyLinkButton";
import { EndMeetingButton } from "@/components/EndMeetingButton";
import { GuestJoinForm } from "@/components/GuestJoinForm";
import { StatusBadge } from "@/components/MyMeetings";
import { modeLabel } from "@/lib/labels";
import { normaliseMeetingCode, parseMeetingCode } from "@/lib/meetingCode";
import { currentUser, serverCaller } from "@/server/session";

type Params = Promise<{ code: string }>;

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { code } = await params;
  return { title: `Meeting ${normaliseMeetingCode(safeDecode(code)).slice(0, 16)}` };
}

export default async function MeetingPage({ params }: { params: Params }) {
  const raw = safeDecode((await params).code);
  const code = parseMeetingCode(raw);
  if (!code) notFound();
  // one canonical address per meeting: /m/ABCD-2345 -> /m/abcd2345
  if (code !== raw) redirect(`/m/${code}`);

  const user = await currentUser();
  if (!user) {
    const exists = await getDb().meeting.findUnique({ where: { code }, select: { id: true } });
    if (!exists) notFound();
    return (
      <>
        <Brand width="md" />
        <main className="mx-auto w-full max-w-md">
          <div className="card">
            <h1 className="text-2xl font-bold tracking-tight">Join meeting</h1>
            <p className="mt-1 text-sm text-slate-600">
              You were invited to the meeting <span className="font-mono font-semibold text-slate-800">{code}</span>. Enter the name others will see, or{" "}
              <Link href={`/login?callbackUrl=${encodeURIComponent(`/m/${code}`)}`} className="link">
                sign in
              </Link>
              .
            </p>
            <GuestJoinForm />
          </div>
        </main>
      </>
    );
  }

  const caller = await serverCaller();
  const meeting = await caller.meeting.get({ code }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const ended = meeting.status === "ENDED";

  return (
    <>
      <Brand width="xl" />
      <main className="mx-auto w-full max-w-xl">
        <article className="card" aria-labelledby="meeting-title">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <h1 id="meeting-title" className="min-w-0 text-2xl font-bold tracking-tight break-words">
              {meeting.title}
            </h1>
            <StatusBadge status={meeting.status} />
          </div>
          {ended ? (
            <p role="status" className="mt-4 rounded-lg border border-slate-200 bg-slate-100 px-3 py-2 text-sm text-slate-700">
              This meeting has ended{meeting.endedAt ? ` (${meeting.endedAt.toUTCString()})` : ""}.
            </p>
          ) : null}
          <dl className="mt-6 grid grid-cols-1 gap-x-6 gap-y-4 text-sm sm:grid-cols-2">
            <Detail label="Meeting code">
              <span className="font-mono text-base font-semibold tracking-wider">{meeting.code}</span>
            </Detail>
            <Detail label="Host">{meeting.isHost ? `${meeting.host.name} (you)` : meeting.host.name}</Detail>
            <Detail label="Mode">{modeLabel[meeting.mode]}</Detail>
            <Detail label="Max participants">{meeting.maxParticipants}</Detail>
          </dl>
          <div className="mt-8 flex flex-wrap gap-3">
            {ended ? null : <CopyLinkButton path={`/m/${meeting.code}`} />}
            {meeting.isHost && !ended ? <EndMeetingButton code={meeting.code} /> : null}
            <Link href="/" className="btn-secondary">
              Back to home
            </Link>
          </div>
          {ended ? null : <p className="mt-6 text-sm text-slate-500">The live meeting room opens here soon. Share the link so others can join.</p>}
        </article>
      </main>
    </>
  );
}

function Detail({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-1 text-slate-900">{children}</dd>
    </div>
  );
}

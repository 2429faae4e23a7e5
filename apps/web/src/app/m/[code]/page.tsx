import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { env } from "@qualmeet/config";
import { getDb } from "@qualmeet/db";
import { Brand } from "@/components/Brand";
import { Detail } from "@/components/Detail";
import { MeetingHeading } from "@/components/MeetingHeading";
import { MeetingLobby } from "@/components/meeting/MeetingLobby";
import { modeLabel } from "@/lib/labels";
import { normaliseMeetingCode, parseMeetingCode } from "@/lib/meetingCode";
import { currentUser, serverCaller } from "@/server/session";

type Params = Promise<{ code: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

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

export default async function MeetingPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const raw = safeDecode((await params).code);
  const code = parseMeetingCode(raw);
  if (!code) notFound();
  // one canonical address per meeting: /m/ABCD-2345 -> /m/abcd2345 (keeping ?quality=)
  if (code !== raw) {
    const quality = (await searchParams).quality;
    redirect(`/m/${code}${typeof quality === "string" ? `?quality=${encodeURIComponent(quality)}` : ""}`);
  }
  // Read at request time (not a NEXT_PUBLIC_ variable): changing it needs no rebuild.
  const realtimeUrl = env.REALTIME_PUBLIC_URL;

  const user = await currentUser();
  if (!user) {
    const exists = await getDb().meeting.findUnique({ where: { code }, select: { id: true } });
    if (!exists) notFound();
    // the same client component before and after guest sign-in, so joining carries on across the refresh
    return <MeetingLobby code={code} realtimeUrl={realtimeUrl} user={null} meeting={null} />;
  }

  const caller = await serverCaller();
  const meeting = await caller.meeting.get({ code }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const ended = meeting.status === "ENDED";

  if (!ended) {
    // ?join=video|audio: a call from a conversation, placed or accepted, goes straight into the meeting
    const join = (await searchParams).join;
    return (
      <MeetingLobby
        code={code}
        realtimeUrl={realtimeUrl}
        autoJoin={join === "video" || join === "audio" ? join : null}
        user={{ id: user.id, name: user.name, isGuest: user.isGuest }}
        meeting={{
          code: meeting.code,
          title: meeting.title,
          status: meeting.status,
          hostName: meeting.host.name,
          isHost: meeting.isHost,
          mode: modeLabel[meeting.live.mode],
          participantsNow: meeting.live.participants,
          p2pMaxParticipants: meeting.p2pMaxParticipants,
          maxParticipants: meeting.maxParticipants,
        }}
      />
    );
  }

  return (
    <>
      <Brand width="xl" />
      <main className="mx-auto w-full max-w-xl">
        <article className="card" aria-labelledby="meeting-title">
          <MeetingHeading title={meeting.title} status={meeting.status} />
          <p role="status" className="mt-4 rounded-lg border border-slate-200 bg-slate-100 px-3 py-2 text-sm text-slate-700">
            This meeting has ended{meeting.endedAt ? ` (${meeting.endedAt.toUTCString()})` : ""}.
          </p>
          <dl className="mt-6 grid grid-cols-1 gap-x-6 gap-y-4 text-sm sm:grid-cols-2">
            <Detail label="Meeting code">
              <span className="font-mono text-base font-semibold tracking-wider">{meeting.code}</span>
            </Detail>
            <Detail label="Host">{meeting.isHost ? `${meeting.host.name} (you)` : meeting.host.name}</Detail>
            <Detail label="Mode">{modeLabel[meeting.mode]}</Detail>
            <Detail label="Max participants">{meeting.maxParticipants}</Detail>
          </dl>
          <div className="mt-8 flex flex-wrap gap-3">
            <Link href="/" className="btn-secondary">
              Back to home
            </Link>
          </div>
        </article>
      </main>
    </>
  );
}

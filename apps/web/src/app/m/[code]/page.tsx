import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { env } from "@qualmeet/config";
import { Brand } from "@/components/Brand";
import { Detail } from "@/components/Detail";
import { MeetingHeading } from "@/components/MeetingHeading";
import { MeetingLobby } from "@/components/meeting/MeetingLobby";
import { MessagePage } from "@/components/MessagePage";
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

/**
 * The meeting behind a code, or why there is none to show: an unknown code is the not-found page, and too many
 * codes tried from this network (per-IP limit, so codes cannot be guessed) a page saying when to try again.
 */
async function lookUp<T>(lookup: Promise<T>): Promise<{ meeting: T } | { refused: string }> {
  try {
    return { meeting: await lookup };
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    if (error instanceof TRPCError && error.code === "TOO_MANY_REQUESTS") return { refused: error.message };
    throw error;
  }
}

function LookupRefused({ message }: { message: string }) {
  return (
    <MessagePage title="Too many meeting codes">
      <p role="alert" className="mt-2 text-sm text-slate-600">
        {message}
      </p>
    </MessagePage>
  );
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
  const iceTransportPolicy = env.ICE_TRANSPORT_POLICY;

  const user = await currentUser();
  const caller = await serverCaller();
  if (!user) {
    const found = await lookUp(caller.meeting.exists({ code }));
    if ("refused" in found) return <LookupRefused message={found.refused} />;
    // the same client component before and after guest sign-in, so joining carries on across the refresh
    return <MeetingLobby code={code} realtimeUrl={realtimeUrl} iceTransportPolicy={iceTransportPolicy} user={null} meeting={null} />;
  }

  const found = await lookUp(caller.meeting.get({ code }));
  if ("refused" in found) return <LookupRefused message={found.refused} />;
  const meeting = found.meeting;
  const ended = meeting.status === "ENDED";

  if (!ended) {
    // ?join=video|audio: a call from a conversation, placed or accepted, goes straight into the meeting
    const join = (await searchParams).join;
    return (
      <MeetingLobby
        code={code}
        realtimeUrl={realtimeUrl}
        iceTransportPolicy={iceTransportPolicy}
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
          locked: meeting.locked,
          lobbyEnabled: meeting.lobbyEnabled,
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

import Link from "next/link";
import { env } from "@qualmeet/config";
import { Brand } from "@/components/Brand";
import { JoinMeetingForm } from "@/components/JoinMeetingForm";
import { MyMeetings } from "@/components/MyMeetings";
import { NewMeetingButton } from "@/components/NewMeetingButton";
import { OnlineNow } from "@/components/OnlineNow";
import { SignOutButton } from "@/components/SignOutButton";
import { DisabledWebhooksNotice } from "@/components/webhooks/DisabledWebhooksNotice";
import { currentUser } from "@/server/session";

export default async function HomePage() {
  const user = await currentUser();
  if (!user) return <Welcome />;
  // Read at request time (not a NEXT_PUBLIC_ variable): changing it needs no rebuild.
  const realtimeUrl = env.REALTIME_PUBLIC_URL;

  return (
    <>
      <Brand />
      <main className="flex flex-col gap-6">
        <section className="card" aria-labelledby="greeting">
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div>
              <h1 id="greeting" className="text-2xl font-bold tracking-tight">
                Hello, {user.name}
              </h1>
              <p className="mt-1 text-sm text-slate-600">
                {user.isGuest ? "You are signed in as a guest. Join a meeting with its code or link." : "Start a meeting or join one with its code."}
              </p>
            </div>
            <SignOutButton />
          </div>
          <div className="mt-6 flex flex-col gap-6 sm:flex-row sm:items-end">
            {user.isGuest ? null : (
              <div className="shrink-0">
                <NewMeetingButton />
              </div>
            )}
            <div className="flex-1">
              <JoinMeetingForm />
            </div>
          </div>
          {user.isGuest ? (
            <p className="mt-6 text-sm text-slate-600">
              Want to host meetings?{" "}
              <Link href="/register" className="link">
                Create an account
              </Link>
              .
            </p>
          ) : null}
        </section>
        {user.isGuest ? null : <DisabledWebhooksNotice />}
        {/* a guest has no contacts: presence.online answers accounts only */}
        {user.isGuest ? null : <MyMeetings />}
        {user.isGuest ? null : <OnlineNow realtimeUrl={realtimeUrl} />}
      </main>
    </>
  );
}

function Welcome() {
  return (
    <>
      <Brand />
      <main className="flex flex-col gap-6">
        <section className="card" aria-labelledby="welcome">
          <h1 id="welcome" className="text-2xl font-bold tracking-tight sm:text-3xl">
            Welcome to QualMeet
          </h1>
          <p className="mt-2 text-slate-600">Video meetings and chat you can host yourself. Sign in to start a meeting, or open a meeting link to join as a guest.</p>
          <div className="mt-6 flex flex-wrap gap-3">
            <Link href="/login" className="btn-primary">
              Sign in
            </Link>
            <Link href="/register" className="btn-secondary">
              Create account
            </Link>
          </div>
        </section>
        <section className="card" aria-label="Join a meeting">
          <JoinMeetingForm />
        </section>
      </main>
    </>
  );
}

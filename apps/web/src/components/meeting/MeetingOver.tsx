"use client";

import Link from "next/link";
import { Brand } from "@/components/Brand";
import { useMeetingStore } from "@/stores/meeting";

/** What a removed person reads: removal lasts for this meeting, and only the host undoes it. */
const REMOVED_DETAIL = "You cannot join it or read its chat again unless the host lets you back.";

/** After the meeting: left on purpose, ended by the host, removed, or not let in from the lobby. */
export function MeetingOver() {
  const phase = useMeetingStore((s) => s.phase);
  const error = useMeetingStore((s) => s.error);
  const title = phase === "left" ? "You left the meeting" : phase === "removed" ? "You were removed from this meeting" : (error ?? "The meeting is over");
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <div role={phase === "left" ? undefined : "alert"}>
            <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
            {phase === "removed" ? <p className="mt-2 text-sm text-slate-600">{REMOVED_DETAIL}</p> : null}
          </div>
          <div className="mt-6 flex flex-wrap gap-3">
            {phase === "left" || phase === "denied" ? (
              <button type="button" className="btn-primary" onClick={() => useMeetingStore.getState().reset()}>
                {phase === "left" ? "Rejoin" : "Ask again"}
              </button>
            ) : null}
            <Link href="/" className={phase === "left" || phase === "denied" ? "btn-secondary" : "btn-primary"}>
              Back to home
            </Link>
          </div>
        </div>
      </main>
    </>
  );
}

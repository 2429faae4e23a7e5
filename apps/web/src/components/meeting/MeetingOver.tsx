"use client";

import Link from "next/link";
import { Brand } from "@/components/Brand";
import { useMeetingStore } from "@/stores/meeting";

/** After the meeting: left on purpose, ended by the host, or removed. */
export function MeetingOver() {
  const phase = useMeetingStore((s) => s.phase);
  const error = useMeetingStore((s) => s.error);
  const title = phase === "left" ? "You left the meeting" : (error ?? "The meeting is over");
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <div role={phase === "left" ? undefined : "alert"}>
            <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
          </div>
          <div className="mt-6 flex flex-wrap gap-3">
            {phase === "left" ? (
              <button type="button" className="btn-primary" onClick={() => useMeetingStore.getState().reset()}>
                Rejoin
              </button>
            ) : null}
            <Link href="/" className={phase === "left" ? "btn-secondary" : "btn-primary"}>
              Back to home
            </Link>
          </div>
        </div>
      </main>
    </>
  );
}

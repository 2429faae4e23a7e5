"use client";

import { useEffect, useState } from "react";
import { ensurePreview, stopPreview } from "@/lib/media/devices";
import type { RandomSession } from "@/lib/random/session";
import { useRealtimeStatus } from "@/lib/realtime";
import { useRandomStore, type RandomPhase } from "@/lib/random/store";
import type { Preferences } from "@/lib/random/types";
import { useDevicesStore } from "@/stores/devices";

const STATE_TEXT: Record<RandomPhase, string> = {
  idle: "Not started",
  searching: "Searching",
  connecting: "Connecting",
  connected: "Connected",
  partnerLeft: "Partner left",
};

/** Seconds since `since` (epoch ms), ticking once a second while `since` is set. */
function useSecondsSince(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return since === null ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}

/** Where the person stands (Searching, Connecting, Connected, Partner left), the time waited, Start / Next / Stop. */
export function ConnectionPanel({ session, preferences, onUseTextOnly }: { session: RandomSession; preferences: Preferences; onUseTextOnly: () => void }) {
  const { phase, searchingSince, widened, match, notice, pressing, solvingSince } = useRandomStore();
  const cameraProblem = useDevicesStore((s) => s.problems.camera);
  const socket = useRealtimeStatus((s) => s.status);
  const waited = useSecondsSince(searchingSince);
  const solvingFor = useSecondsSince(solvingSince);
  const inSearch = phase !== "idle";

  function start() {
    // the search starts at once; the call waits for the camera (call.ts), so pressing before it is live is fine
    // text only asks for no camera and no microphone
    if (preferences.textOnly) stopPreview();
    else void ensurePreview();
    void session.start(preferences);
  }

  return (
    <section className="card flex flex-col gap-3" aria-label="Connection">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-700">
          <span id="random-state" role="status" className="font-semibold text-slate-900">
            {STATE_TEXT[phase]}
          </span>
          {phase === "searching" ? <span id="random-waited"> · waited {waited} s</span> : null}
          {match ? (
            <>
              {" "}
              with <span className="font-semibold">{match.partnerName}</span>
              {match.textOnly ? " (text only)" : ""}
            </>
          ) : null}
        </p>
        <div className="flex flex-wrap gap-2">
          {!inSearch ? (
            <button type="button" className="btn-primary" onClick={start} disabled={pressing} aria-busy={pressing}>
              Start
            </button>
          ) : (
            <>
              <button type="button" className="btn-primary" onClick={() => void session.next()} disabled={phase === "searching" || pressing}>
                Next
              </button>
              <button type="button" className="btn-secondary" onClick={() => void session.stop()}>
                Stop
              </button>
            </>
          )}
        </div>
      </div>
      {socket === "closed" ? (
        <p role="status" className="text-sm text-amber-700">
          The connection to the server was lost: reconnecting… Press Start again once it is back.
        </p>
      ) : null}
      {widened && phase === "searching" ? (
        <p id="random-widened" className="text-sm text-slate-600">
          {widened}
        </p>
      ) : null}
      {match && match.sharedInterests.length > 0 ? (
        <p id="random-shared" className="text-sm text-slate-600">
          You both like: {match.sharedInterests.join(", ")}
        </p>
      ) : null}
      {solvingSince !== null ? (
        <div role="status" className="flex items-center gap-3 text-sm text-slate-700">
          <span>Solving a short check before you continue… {solvingFor} s</span>
          <progress aria-label="Solving the check" className="h-2 flex-1" />
        </div>
      ) : null}
      {notice ? (
        <p role={notice.tone === "error" ? "alert" : "status"} className={notice.tone === "error" ? "alert-error" : "text-sm text-slate-700"}>
          {notice.text}
        </p>
      ) : null}
      {cameraProblem && !preferences.textOnly ? (
        <div role="alert" className="alert-error flex flex-wrap items-center justify-between gap-2">
          <span>{cameraProblem} You can chat in text only meanwhile.</span>
          <button type="button" className="btn-secondary" onClick={onUseTextOnly}>
            Use text only
          </button>
        </div>
      ) : null}
    </section>
  );
}

"use client";

import { stopAsking } from "@/lib/media/admission";

/** The newcomer's screen while the host decides: it joins by itself when they are let in. */
export function LobbyWait() {
  return (
    <div className="flex flex-col gap-4">
      <div role="status" aria-live="polite" className="rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-3">
        <p className="font-semibold text-indigo-900" id="lobby-waiting">
          Waiting for the host to let you in
        </p>
        <p className="mt-1 text-sm text-indigo-800">The host has been told you want to join. Keep this page open: you join as soon as they let you in.</p>
      </div>
      <button type="button" className="btn-secondary w-full" onClick={() => stopAsking()}>
        Stop waiting
      </button>
    </div>
  );
}

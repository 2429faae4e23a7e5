"use client";

import { useSyncExternalStore } from "react";
import { errorMessage, trpc } from "@/lib/trpc";

const noSubscription = () => () => {};

/** False in the server's HTML and until React runs on the page: a click before then would do nothing. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

export interface MeetingAccess {
  locked: boolean;
  lobbyEnabled: boolean;
}

/**
 * The host's Lock and Lobby switches, before the meeting (pre-join) and during it (the room's people panel). The
 * meeting remembers them; `onChange` gets the settings the server answered.
 */
export function AccessToggles({ code, access, onChange, dark = false }: { code: string; access: MeetingAccess; onChange?: (access: MeetingAccess) => void; dark?: boolean }) {
  const setAccess = trpc.meeting.setAccess.useMutation({ onSuccess: (answered) => onChange?.(answered) });
  const hydrated = useHydrated();
  const disabled = setAccess.isPending || !hydrated;
  const switchClass = (on: boolean) =>
    `rounded-lg px-3 py-1.5 text-sm font-medium ring-1 disabled:opacity-60 ${
      on
        ? "bg-indigo-600 text-white ring-indigo-400/50"
        : dark
          ? "bg-white/10 text-slate-100 ring-white/20 hover:bg-white/20"
          : "bg-white text-slate-800 ring-slate-300 hover:bg-slate-50"
    }`;
  const change = (next: Partial<MeetingAccess>) => setAccess.mutate({ code, ...next });
  return (
    <div className="flex flex-col gap-2">
      <div role="group" aria-label="Who can join" className="flex flex-wrap gap-2">
        <button type="button" className={switchClass(access.locked)} aria-pressed={access.locked} disabled={disabled} onClick={() => change({ locked: !access.locked })}>
          {access.locked ? "Locked" : "Lock meeting"}
        </button>
        <button
          type="button"
          className={switchClass(access.lobbyEnabled)}
          aria-pressed={access.lobbyEnabled}
          disabled={disabled}
          onClick={() => change({ lobbyEnabled: !access.lobbyEnabled })}
        >
          {access.lobbyEnabled ? "Lobby on" : "Lobby"}
        </button>
      </div>
      <p className={`text-xs ${dark ? "text-slate-400" : "text-slate-500"}`}>
        {access.locked ? "Locked: nobody new can join." : access.lobbyEnabled ? "Newcomers wait until you let them in." : "Anyone with the link can join."}
      </p>
      {setAccess.error ? (
        <p role="alert" className={dark ? "text-sm text-red-300" : "alert-error"}>
          {errorMessage(setAccess.error)}
        </p>
      ) : null}
    </div>
  );
}

"use client";
// The host's side of the lobby in the room: one subscription (`lobby.watch`) keeps who waits, who was removed and
// the meeting's lock and lobby; "X wants to join" with Admit / Deny shows over the videos, the switches and the
// removed people (Allow back) in the people panel.
import { useEffect } from "react";
import { create } from "zustand";
import type { HostLobbyView } from "@qualmeet/api";
import { getRealtimeClient } from "@/lib/realtime";
import { errorMessage, trpc } from "@/lib/trpc";
import { useMeetingStore } from "@/stores/meeting";
import { useSessionStore } from "@/stores/session";
import { AccessToggles } from "./AccessToggles";

const useHostLobbyStore = create<{ view: HostLobbyView | null }>(() => ({ view: null }));
/** one empty list: a selector answering a new [] on every render would re-render forever */
const NOBODY: HostLobbyView["waiting"] = [];

/** Whether this page is the host's (in the room). */
export function useAmHost(): boolean {
  return useMeetingStore((s) => !!(s.selfPeerId && s.participants[s.selfPeerId]?.isHost));
}

/** Keeps the host's lobby view while the host is in the room (mount once, in the room). */
export function HostLobbyWatch() {
  const code = useMeetingStore((s) => s.meeting?.code);
  const realtimeUrl = useSessionStore((s) => s.realtimeUrl);
  const amHost = useAmHost();
  useEffect(() => {
    if (!amHost || !code || !realtimeUrl) return;
    const subscription = getRealtimeClient(realtimeUrl).lobby.watch.subscribe(
      { code },
      {
        onData: (view) => useHostLobbyStore.setState({ view }),
        onError: (error) => useMeetingStore.getState().notify(`Could not show who waits to join: ${errorMessage(error)}`, "error"),
      },
    );
    return () => {
      subscription.unsubscribe();
      useHostLobbyStore.setState({ view: null });
    };
  }, [amHost, code, realtimeUrl]);
  return null;
}

/** "X wants to join" with Admit and Deny, for each person waiting (host only). */
export function LobbyRequests() {
  const code = useMeetingStore((s) => s.meeting?.code);
  const waiting = useHostLobbyStore((s) => s.view?.waiting ?? NOBODY);
  const admit = trpc.meeting.admit.useMutation();
  const deny = trpc.meeting.deny.useMutation();
  const failed = admit.error ?? deny.error;
  if (!code || waiting.length === 0) return null;
  const busy = admit.isPending || deny.isPending;
  return (
    <section aria-label="People waiting to join" className="absolute top-14 left-4 z-30 w-80 max-w-[calc(100%-2rem)] rounded-xl bg-white p-3 text-slate-900 shadow-2xl">
      <ul className="flex flex-col gap-2">
        {waiting.map((person) => (
          <li key={person.userId} className="flex flex-wrap items-center gap-2">
            <span className="min-w-0 flex-1 text-sm">
              <span className="font-semibold">{person.displayName}</span>
              {person.isGuest ? <span className="text-slate-500"> (guest)</span> : null} wants to join
            </span>
            <button
              type="button"
              className="btn-primary px-3 py-1 text-sm"
              aria-label={`Admit ${person.displayName}`}
              disabled={busy}
              onClick={() => admit.mutate({ code, userId: person.userId })}
            >
              Admit
            </button>
            <button
              type="button"
              className="btn-secondary px-3 py-1 text-sm"
              aria-label={`Deny ${person.displayName}`}
              disabled={busy}
              onClick={() => deny.mutate({ code, userId: person.userId })}
            >
              Deny
            </button>
          </li>
        ))}
      </ul>
      {failed ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {errorMessage(failed)}
        </p>
      ) : null}
    </section>
  );
}

/** The host's Lock and Lobby switches and the people they removed, with Allow back (people panel). */
export function AccessControls() {
  const code = useMeetingStore((s) => s.meeting?.code);
  const view = useHostLobbyStore((s) => s.view);
  const allowBack = trpc.meeting.allowBack.useMutation();
  if (!code || !view) return null;
  return (
    <section aria-labelledby="access-heading" className="border-b border-white/10 px-4 py-3">
      <h2 id="access-heading" className="mb-2 text-sm font-semibold tracking-wide text-slate-200 uppercase">
        Who can join
      </h2>
      <AccessToggles code={code} access={view} dark />
      {view.removed.length > 0 ? (
        <ul aria-label="Removed from this meeting" className="mt-3 flex flex-col gap-1">
          {view.removed.map((person) => (
            <li key={person.userId} className="flex items-center gap-2 text-sm">
              <span className="min-w-0 flex-1 truncate text-slate-300">{person.displayName} (removed)</span>
              <button
                type="button"
                className="rounded-lg bg-white/10 px-2 py-1 text-xs ring-1 ring-white/20 hover:bg-white/20"
                aria-label={`Allow ${person.displayName} back`}
                disabled={allowBack.isPending}
                onClick={() => allowBack.mutate({ code, userId: person.userId })}
              >
                Allow back
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {allowBack.error ? (
        <p role="alert" className="mt-2 text-sm text-red-300">
          {errorMessage(allowBack.error)}
        </p>
      ) : null}
    </section>
  );
}

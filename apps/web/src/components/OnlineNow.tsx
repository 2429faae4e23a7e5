"use client";

import { useEffect, useState } from "react";
import type { OnlineUser } from "@qualmeet/api";
import { isPermanentError } from "@/lib/chat/api";
import { retryPauseMs } from "@/lib/keepTrying";
import { getRealtimeClient, useRealtimeStatus } from "@/lib/realtime";

/** Which of your contacts are online, live from the realtime server; renders nothing while the socket is not connected. */
export function OnlineNow({ realtimeUrl }: { realtimeUrl: string }) {
  const [users, setUsers] = useState<OnlineUser[] | null>(null);
  const [failed, setFailed] = useState(false);
  // the subscription after `failures` failed ones: a socket the server closed (a limit, a restart) ends it with an error
  const [failures, setFailures] = useState(0);
  const status = useRealtimeStatus((s) => s.status);

  useEffect(() => {
    let client;
    try {
      client = getRealtimeClient(realtimeUrl);
    } catch {
      return; // no socket (users stay null): nothing to show
    }
    let retry: ReturnType<typeof setTimeout> | undefined;
    const sub = client.presence.online.subscribe(undefined, {
      onData: (list) => {
        setFailed(false);
        setUsers([...list]);
      },
      onError: (error) => {
        setFailed(true);
        if (!isPermanentError(error)) retry = setTimeout(() => setFailures((n) => n + 1), retryPauseMs(failures + 1));
      },
    });
    return () => {
      clearTimeout(retry);
      sub.unsubscribe();
    };
  }, [realtimeUrl, failures]);

  if (failed || status !== "open" || !users) return null;
  return (
    <section aria-labelledby="online-now-heading" className="card">
      <h2 id="online-now-heading" className="text-lg font-semibold">
        Online now <span className="text-sm font-normal text-slate-500">({users.length})</span>
      </h2>
      {users.length === 0 ? <p className="mt-2 text-sm text-slate-600">None of the people you chat with is online.</p> : null}
      <ul className="mt-3 flex flex-wrap gap-2" aria-label="People online">
        {users.map((u) => (
          <li key={u.id} className="flex items-center gap-1.5 rounded-full bg-slate-100 px-3 py-1 text-sm">
            <span aria-hidden="true" className="h-2 w-2 rounded-full bg-green-500" />
            {u.name}
            {u.isGuest ? <span className="text-xs text-slate-500">(guest)</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

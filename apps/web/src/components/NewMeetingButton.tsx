"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { errorMessage, trpc } from "@/lib/trpc";

/**
 * "New meeting" and "Quick 1:1" (two people, peer to peer): each creates a meeting in one click and opens it,
 * with the lobby on when asked (newcomers wait until the host lets them in; the host can change it later).
 */
export function NewMeetingButton() {
  const router = useRouter();
  const id = useId();
  const [lobbyEnabled, setLobbyEnabled] = useState(false);
  const utils = trpc.useUtils();
  const create = trpc.meeting.create.useMutation({
    onSuccess: async (meeting) => {
      await utils.meeting.listMine.invalidate();
      router.push(`/m/${meeting.code}`);
    },
  });
  const busy = create.isPending || create.isSuccess;

  const quick = async () => {
    const me = await utils.auth.me.fetch().catch(() => null);
    create.mutate({ title: me?.name ? `${me.name}'s 1:1`.slice(0, 120) : "Quick 1:1", maxParticipants: 2, p2pMaxParticipants: 2, lobbyEnabled });
  };

  return (
    <div>
      <div className="flex flex-wrap gap-3">
        <button type="button" className="btn-primary" disabled={busy} aria-busy={busy} onClick={() => create.mutate(lobbyEnabled ? { lobbyEnabled } : undefined)}>
          New meeting
        </button>
        <button type="button" className="btn-secondary" disabled={busy} aria-busy={busy} title="A meeting for two, connected directly (peer to peer)" onClick={() => void quick()}>
          Quick 1:1
        </button>
      </div>
      <div className="mt-3 flex items-center gap-2 text-sm text-slate-700">
        <input id={`${id}-lobby`} type="checkbox" checked={lobbyEnabled} onChange={(event) => setLobbyEnabled(event.target.checked)} />
        <label htmlFor={`${id}-lobby`}>Lobby: newcomers wait until I let them in</label>
      </div>
      {create.error ? (
        <p role="alert" className="alert-error mt-3">
          {errorMessage(create.error)}
        </p>
      ) : null}
    </div>
  );
}

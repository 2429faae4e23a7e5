"use client";

import { useRouter } from "next/navigation";
import { errorMessage, trpc } from "@/lib/trpc";

/** "New meeting" and "Quick 1:1" (two people, peer to peer): each creates a meeting in one click and opens it. */
export function NewMeetingButton() {
  const router = useRouter();
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
    create.mutate({ title: me?.name ? `${me.name}'s 1:1`.slice(0, 120) : "Quick 1:1", maxParticipants: 2, p2pMaxParticipants: 2 });
  };

  return (
    <div>
      <div className="flex flex-wrap gap-3">
        <button type="button" className="btn-primary" disabled={busy} aria-busy={busy} onClick={() => create.mutate(undefined)}>
          New meeting
        </button>
        <button type="button" className="btn-secondary" disabled={busy} aria-busy={busy} title="A meeting for two, connected directly (peer to peer)" onClick={() => void quick()}>
          Quick 1:1
        </button>
      </div>
      {create.error ? (
        <p role="alert" className="alert-error mt-3">
          {errorMessage(create.error)}
        </p>
      ) : null}
    </div>
  );
}

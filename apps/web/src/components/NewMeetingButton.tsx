"use client";

import { useRouter } from "next/navigation";
import { errorMessage, trpc } from "@/lib/trpc";

export function NewMeetingButton() {
  const router = useRouter();
  const utils = trpc.useUtils();
  const create = trpc.meeting.create.useMutation({
    onSuccess: async (meeting) => {
      await utils.meeting.listMine.invalidate();
      router.push(`/m/${meeting.code}`);
    },
  });
  return (
    <div>
      <button
        type="button"
        className="btn-primary"
        disabled={create.isPending || create.isSuccess}
        aria-busy={create.isPending || create.isSuccess}
        onClick={() => create.mutate(undefined)}
      >
        New meeting
      </button>
      {create.error ? (
        <p role="alert" className="alert-error mt-3">
          {errorMessage(create.error)}
        </p>
      ) : null}
    </div>
  );
}

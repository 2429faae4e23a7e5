"use client";

import { useRouter } from "next/navigation";
import { errorMessage, trpc } from "@/lib/trpc";

export function EndMeetingButton({ code }: { code: string }) {
  const router = useRouter();
  const utils = trpc.useUtils();
  const end = trpc.meeting.end.useMutation({
    onSuccess: async () => {
      await utils.meeting.listMine.invalidate();
      router.refresh();
    },
  });
  return (
    <>
      <button
        type="button"
        className="btn-danger"
        disabled={end.isPending}
        aria-busy={end.isPending}
        onClick={() => {
          if (window.confirm("End this meeting for everyone?")) end.mutate({ code });
        }}
      >
        End meeting
      </button>
      {end.error ? (
        <p role="alert" className="alert-error w-full">
          {errorMessage(end.error)}
        </p>
      ) : null}
    </>
  );
}

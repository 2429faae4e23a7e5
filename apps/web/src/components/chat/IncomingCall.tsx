"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "@/lib/trpc";
import { stopRinging } from "@/lib/chat/alerts";
import { chatClient } from "@/lib/chat/live";
import { useConversationStore } from "@/stores/chat";

/** The incoming-call overlay: Accept joins the call's meeting, Decline stops the ringing (and, in a DM, the call). */
export function IncomingCall() {
  const router = useRouter();
  const call = useConversationStore((s) => s.incomingCall);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!call) return null;

  const finish = () => {
    stopRinging();
    useConversationStore.getState().setIncomingCall(null);
    setBusy(false);
    setError(null);
  };
  const accept = async () => {
    setBusy(true);
    try {
      const { meetingCode } = await chatClient().calls.accept.mutate({ callId: call.id });
      finish();
      router.push(`/m/${meetingCode}?join=${call.kind === "AUDIO" ? "audio" : "video"}`);
    } catch (e) {
      setBusy(false);
      setError(errorMessage(e));
    }
  };
  const decline = async () => {
    setBusy(true);
    try {
      await chatClient().calls.decline.mutate({ callId: call.id });
    } catch {
      // the call may have ended meanwhile; either way it stops ringing here
    }
    finish();
  };

  const what = call.kind === "VIDEO" ? "Video call" : "Audio call";
  const inGroup = call.conversationTitle && call.conversationTitle !== call.from.name;
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-950/60 p-4">
      <div role="alertdialog" aria-modal="true" aria-labelledby="incoming-call-title" aria-describedby="incoming-call-from" className="card max-w-sm text-center">
        <p className="text-sm font-medium tracking-wide text-indigo-700 uppercase">Incoming {what.toLowerCase()}</p>
        <h2 id="incoming-call-title" className="mt-2 text-xl font-bold break-words">
          {call.from.name}
        </h2>
        <p id="incoming-call-from" className="mt-1 text-sm break-words text-slate-600">
          {inGroup ? `in ${call.conversationTitle}` : `${what} from ${call.from.name}`}
        </p>
        {error ? (
          <p role="alert" className="alert-error mt-4">
            {error}
          </p>
        ) : null}
        <div className="mt-6 flex justify-center gap-3">
          <button type="button" className="btn-danger" disabled={busy} onClick={() => void decline()}>
            Decline
          </button>
          <button type="button" className="btn bg-green-600 text-white hover:bg-green-700" disabled={busy} autoFocus onClick={() => void accept()}>
            Accept
          </button>
        </div>
      </div>
    </div>
  );
}

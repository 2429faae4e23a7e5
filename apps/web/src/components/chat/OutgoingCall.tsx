"use client";

import { useState } from "react";
import { chatClient } from "@/lib/chat/live";
import { useConversationStore } from "@/stores/chat";

/** "Calling …" while a call this user started rings, on any page (the caller waits in the call's meeting). */
export function OutgoingCall() {
  const call = useConversationStore((s) => s.outgoingCall);
  const [busy, setBusy] = useState(false);
  if (!call) return null;
  const cancel = async () => {
    setBusy(true);
    try {
      await chatClient().calls.cancel.mutate({ callId: call.id });
    } catch {
      // answered or ended meanwhile: nothing left to cancel
    }
    useConversationStore.getState().setOutgoingCall(null);
    setBusy(false);
  };
  return (
    <div className="pointer-events-none fixed inset-x-0 top-3 z-50 flex justify-center px-4">
      <div role="status" className="pointer-events-auto flex items-center gap-3 rounded-full bg-white py-1.5 pr-1.5 pl-4 text-sm text-slate-900 shadow-lg ring-1 ring-slate-200">
        <span aria-hidden="true" className="h-2 w-2 animate-pulse rounded-full bg-green-500" />
        <span className="max-w-64 truncate">Calling {call.conversationTitle}…</span>
        <button type="button" className="btn-danger px-3 py-1" disabled={busy} onClick={() => void cancel()}>
          Cancel call
        </button>
      </div>
    </div>
  );
}

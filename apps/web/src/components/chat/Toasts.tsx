"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useConversationStore, type Toast } from "@/stores/chat";

/** New messages in conversations that are not on screen, bottom right, for a few seconds. */
export function Toasts() {
  const toasts = useConversationStore((s) => s.toasts);
  return (
    <div aria-live="polite" className="pointer-events-none fixed right-4 bottom-4 z-40 flex w-full max-w-xs flex-col gap-2">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const router = useRouter();
  const dismiss = useConversationStore((s) => s.dismissToast);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), 6000);
    return () => clearTimeout(timer);
  }, [toast.id, dismiss]);
  return (
    <div role="status" className="pointer-events-auto flex items-start gap-2 rounded-xl border border-slate-200 bg-white p-3 text-slate-900 shadow-lg">
      <button
        type="button"
        className="min-w-0 flex-1 text-left"
        onClick={() => {
          dismiss(toast.id);
          router.push(`/chat?c=${encodeURIComponent(toast.conversationId)}`);
        }}
      >
        <span className="block truncate text-sm font-semibold">{toast.title}</span>
        <span className="line-clamp-2 text-sm break-words text-slate-600">{toast.text}</span>
      </button>
      <button type="button" aria-label="Dismiss" className="rounded px-1 text-slate-400 hover:text-slate-700" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";

/** Reads the page's live data again (who joined or left since it opened) without losing open forms. */
export function RefreshButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button type="button" className="btn-secondary" disabled={pending} aria-busy={pending} onClick={() => startTransition(() => router.refresh())}>
      {pending ? "Refreshing…" : "Refresh"}
    </button>
  );
}

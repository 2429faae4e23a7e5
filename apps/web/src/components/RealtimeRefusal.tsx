"use client";

import { useRealtimeStatus } from "@/lib/realtime";

/** Says why the realtime server closed this page's live connection (a limit, an ended session) while it stays closed. */
export function RealtimeRefusal() {
  const refusal = useRealtimeStatus((s) => (s.status === "open" ? null : s.refusal));
  if (!refusal) return null;
  return (
    <p role="alert" className="alert-error fixed inset-x-4 bottom-4 z-50 mx-auto max-w-xl shadow-lg">
      Live connection closed: {refusal}
    </p>
  );
}

"use client";

import { useConversationStore } from "@/stores/chat";

export function lastSeenText(online: boolean, lastSeenAt: Date | null): string {
  if (online) return "Online";
  if (!lastSeenAt) return "Offline";
  const minutes = Math.round((Date.now() - lastSeenAt.getTime()) / 60_000);
  if (minutes < 1) return "Last seen just now";
  if (minutes < 60) return `Last seen ${minutes} min ago`;
  const sameDay = new Date().toDateString() === lastSeenAt.toDateString();
  return `Last seen ${sameDay ? lastSeenAt.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : lastSeenAt.toLocaleDateString()}`;
}

/** Someone's presence: what the server last sent live, else what the list said. */
export function usePresence(userId: string | undefined, fallback: { online: boolean; lastSeenAt: Date | null }) {
  const live = useConversationStore((s) => (userId ? s.presence[userId] : undefined));
  return live ?? fallback;
}

export function PresenceDot({ online, lastSeenAt }: { online: boolean; lastSeenAt: Date | null }) {
  const label = lastSeenText(online, lastSeenAt);
  return <span role="img" aria-label={label} title={label} className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${online ? "bg-green-500" : "bg-slate-300"}`} />;
}

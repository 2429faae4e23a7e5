// Words and choices shared by the moderation pages of the admin console.

/** How long a ban lasts, as the forms offer it (minutes; null: forever). */
export const BAN_DURATIONS: Array<{ label: string; minutes: number | null }> = [
  { label: "1 hour", minutes: 60 },
  { label: "1 day", minutes: 60 * 24 },
  { label: "7 days", minutes: 60 * 24 * 7 },
  { label: "30 days", minutes: 60 * 24 * 30 },
  { label: "1 year", minutes: 60 * 24 * 365 },
  { label: "Forever", minutes: null },
];

export const BAN_TARGETS = [
  { value: "device", label: "Device (this browser)" },
  { value: "user", label: "User (this account or guest)" },
  { value: "ip", label: "IP address (IPv6: its /64)" },
] as const;
export type BanTarget = (typeof BAN_TARGETS)[number]["value"];

export const REPORT_REASON_LABELS: Record<string, string> = {
  nudity: "Nudity",
  harassment: "Harassment",
  spam: "Spam",
  underage: "Underage",
  hate: "Hate",
  other: "Other",
};

export const when = (date: Date | null): string => (date ? date.toLocaleString() : "—");

/** "3 min ago", "5 h ago", "2 days ago": a queue is read by age */
export function age(date: Date, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - date.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export const banUntil = (expiresAt: Date | null): string => (expiresAt ? `until ${expiresAt.toLocaleString()}` : "forever");

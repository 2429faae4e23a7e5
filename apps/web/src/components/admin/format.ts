// How the console writes times: in UTC (admins compare them with the audit log and server logs, which are UTC).
const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export const formatWhen = (at: Date | null | undefined, none = "—"): string => (at ? `${when.format(at)} UTC` : none);

/** "1 h 05 min", "12 min", "under a minute": how long something has been running at `now`. */
export function formatDuration(since: Date | null, now: Date): string {
  if (!since) return "—";
  const minutes = Math.floor((now.getTime() - since.getTime()) / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

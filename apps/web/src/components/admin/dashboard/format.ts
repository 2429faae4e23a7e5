/** A duration for people: "45 s", "3 min", "2 h 5 min", "3 d". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

/** A histogram bucket's name by its upper bound ("≤ 0.5 s"; the last, unbounded one after the bound before it). */
export function bucketLabel(le: number | null, previous: number | undefined): string {
  return le === null ? `> ${formatWait(previous ?? 0)}` : `≤ ${formatWait(le)}`;
}

import type { Quality } from "@/stores/meeting";

const filled: Record<Quality, number> = { good: 3, fair: 2, poor: 1 };
const color: Record<Quality, string> = { good: "bg-emerald-400", fair: "bg-amber-400", poor: "bg-red-500" };

/** Three signal bars; the caller gives it an accessible label (or hides it). */
export function QualityBars({ quality }: { quality: Quality }) {
  return (
    <span className="inline-flex h-3.5 items-end gap-0.5">
      {[1, 2, 3].map((bar) => (
        <span key={bar} className={`w-1 rounded-sm ${bar <= filled[quality] ? color[quality] : "bg-white/25"}`} style={{ height: `${bar * 33}%` }} />
      ))}
    </span>
  );
}

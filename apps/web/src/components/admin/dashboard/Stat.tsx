import type { ReactNode } from "react";

/** A titled group of numbers, each a term and its value (readable without the chart beside them). */
export function StatCard({ title, children, chart }: { title: string; children: ReactNode; chart?: ReactNode }) {
  const id = `stat-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      <dl className="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-2 xl:grid-cols-4">{children}</dl>
      {chart}
    </section>
  );
}

export function Stat({ id, label, value }: { id: string; label: string; value: number | string }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-slate-50 p-3">
      <dt className="text-xs font-medium text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-bold tabular-nums" data-stat={id}>
        {value}
      </dd>
    </div>
  );
}

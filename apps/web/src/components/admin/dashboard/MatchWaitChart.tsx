"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { DashboardSnapshot } from "@qualmeet/api";
import { bucketLabel } from "./format";

/** How long matched people searched over the last 15 minutes, every node: a histogram, and the same as a list. */
export function MatchWaitChart({ waits }: { waits: DashboardSnapshot["matchWaits"] }) {
  const data = waits.buckets.map((bucket, i) => ({ wait: bucketLabel(bucket.le, waits.buckets[i - 1]?.le ?? undefined), People: bucket.count }));
  const summary = data
    .filter((d) => d.People > 0)
    .map((d) => `${d.wait}: ${d.People}`)
    .join("; ");
  return (
    <figure className="mt-4">
      <figcaption className="text-sm font-medium text-slate-700">Match latency, last 15 minutes</figcaption>
      <BarChart
        responsive
        style={{ width: "100%", height: 200 }}
        data={data}
        title={`Match latency, last 15 minutes. ${summary || "No matches."}`}
        margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="wait" interval={0} angle={-35} textAnchor="end" height={56} tick={{ fontSize: 11 }} />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Bar dataKey="People" fill="#4f46e5" isAnimationActive={false} />
      </BarChart>
      <p className="sr-only">{summary ? `People matched, by how long they searched: ${summary}.` : "Nobody was matched in the last 15 minutes."}</p>
    </figure>
  );
}

"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { DashboardSnapshot } from "@qualmeet/api";

/** Meetings and their participants side by side for P2P and SFU (the same numbers are listed as text above it). */
export function ModeChart({ meetings, participants }: Pick<DashboardSnapshot, "meetings" | "participants">) {
  const data = (["P2P", "SFU"] as const).map((mode) => ({ mode, Meetings: meetings[mode], Participants: participants[mode] }));
  const summary = data.map((d) => `${d.mode}: ${d.Meetings} meetings, ${d.Participants} participants`).join("; ");
  return (
    <figure className="mt-4">
      <BarChart
        responsive
        style={{ width: "100%", height: 200 }}
        data={data}
        title={`Meetings and participants by mode. ${summary}`}
        margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="mode" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        <Bar dataKey="Meetings" fill="#4f46e5" isAnimationActive={false} />
        <Bar dataKey="Participants" fill="#0d9488" isAnimationActive={false} />
      </BarChart>
      <figcaption className="sr-only">{summary}</figcaption>
    </figure>
  );
}

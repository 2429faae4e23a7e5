"use client";

import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { modeLabel } from "@/lib/labels";
import { errorMessage } from "@qualmeet/client";
import { useMeetingStore } from "@/stores/meeting";
import { useEngine } from "./engineRef";

/** How the media travels (P2P mesh or SFU), and for the host the "P2P up to N people" setting. */
export function Topology() {
  const engine = useEngine();
  const { topology, amHost } = useMeetingStore(useShallow((s) => ({ topology: s.topology, amHost: !!(s.selfPeerId && s.participants[s.selfPeerId]?.isHost) })));
  const [busy, setBusy] = useState(false);

  async function change(value: number) {
    if (!engine) return;
    setBusy(true);
    try {
      await engine.setMeshThreshold(value);
    } catch (error) {
      useMeetingStore.getState().notify(errorMessage(error), "error");
    } finally {
      setBusy(false);
    }
  }

  const warning = topology.mediaServer ? null : topology.mode === "P2P" ? "Media server unavailable — using direct connections" : "Media server unavailable";
  return (
    <span className="flex flex-wrap items-center gap-2 text-sm text-slate-300">
      <span id="media-mode" data-mode={topology.mode} data-switching={topology.switching ? "true" : undefined} className="rounded bg-white/10 px-2 py-0.5">
        {modeLabel[topology.mode]}
      </span>
      {warning ? (
        <span id="media-server-warning" className="text-amber-300">
          {warning}
        </span>
      ) : null}
      {amHost ? (
        <label className="flex items-center gap-1.5">
          <span>P2P up to</span>
          <select
            aria-label="P2P up to N people"
            title="Direct (P2P) connections while the meeting has at most this many people; 0: always via the media server"
            className="rounded border border-white/20 bg-slate-900 px-1 py-0.5 text-slate-100"
            value={topology.meshThreshold}
            disabled={busy}
            onChange={(e) => void change(Number(e.target.value))}
          >
            {Array.from({ length: 9 }, (_, n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          <span>people</span>
        </label>
      ) : null}
    </span>
  );
}

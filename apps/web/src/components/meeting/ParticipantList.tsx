"use client";

import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { peerQuality, pickTrack, publishing, useMeetingStore } from "@/stores/meeting";
import { errorMessage } from "@qualmeet/client";
import { BlockButton } from "@/components/chat/BlockButton";
import { useEngine } from "./engineRef";
import { BotBadge } from "./BotBadge";
import { QualityBars } from "./QualityBars";

export function ParticipantList({ grow }: { grow: boolean }) {
  const engine = useEngine();
  const { participants, order, scores, local, levels, selfPeerId, tracks, mode } = useMeetingStore(
    useShallow((s) => ({
      participants: s.participants,
      order: s.order,
      scores: s.scores,
      local: s.local,
      levels: s.levels,
      selfPeerId: s.selfPeerId,
      tracks: s.tracks,
      mode: s.topology.mode,
    })),
  );
  const amHost = !!(selfPeerId && participants[selfPeerId]?.isHost);
  // blocking is between accounts: a guest neither blocks nor is blocked
  const amGuest = !selfPeerId || participants[selfPeerId]?.isGuest !== false;
  const [busy, setBusy] = useState<string | null>(null);
  const people = order.map((id) => participants[id]).filter((p) => !!p);

  async function act(what: string, action: () => Promise<void>) {
    setBusy(what);
    try {
      await action();
    } catch (error) {
      useMeetingStore.getState().notify(errorMessage(error), "error");
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="participants-heading" className={`flex min-h-0 flex-col border-b border-white/10 ${grow ? "flex-1" : "max-h-[45%]"}`}>
      <div className="flex items-baseline gap-2 px-4 pt-3 pb-2">
        <h2 id="participants-heading" className="text-sm font-semibold tracking-wide text-slate-200 uppercase">
          Participants
        </h2>
        <span className="text-sm text-slate-400">({people.length})</span>
      </div>
      <ul className="min-h-0 flex-1 overflow-y-auto px-2 pb-2" aria-label="People in the meeting">
        {people.map((p) => {
          // over P2P there is no SFU producer to tell: a direct audio track counts as on unless they said they muted
          const micOn = p.isSelf ? !!local.mic && !local.micMuted : publishing(p, "mic") || (pickTrack(tracks, p.peerId, "mic", mode)?.via === "p2p" && !p.micMuted);
          const quality = p.isSelf ? null : peerQuality(scores, p.peerId);
          const speaking = (levels[p.peerId] ?? -127) > -50 && micOn;
          return (
            <li key={p.peerId} className="flex flex-wrap items-center gap-2 rounded-lg px-2 py-1.5 hover:bg-white/5" data-peer-id={p.peerId}>
              <span className="min-w-0 flex-1 truncate text-sm">
                {p.displayName}
                {p.isSelf ? <span className="text-slate-400"> (you)</span> : null}
                {p.isHost ? <span className="ml-1.5 rounded bg-indigo-500/30 px-1.5 py-0.5 text-xs text-indigo-200">Host</span> : null}
                {p.isBot ? <BotBadge /> : p.isGuest ? <span className="ml-1.5 text-xs text-slate-400">guest</span> : null}
              </span>
              {quality ? (
                <span role="img" aria-label={`Network quality: ${quality}`} title={`Network quality: ${quality}`}>
                  <QualityBars quality={quality} />
                </span>
              ) : null}
              <span
                role="img"
                aria-label={micOn ? "Microphone on" : "Microphone off"}
                title={micOn ? "Microphone on" : "Microphone off"}
                className={`h-2.5 w-2.5 rounded-full ${micOn ? (speaking ? "bg-emerald-400 ring-2 ring-emerald-400/40" : "bg-emerald-700") : "bg-red-500"}`}
              />
              {!amGuest && !p.isSelf && !p.isGuest && !p.isBot ? (
                <BlockButton userId={p.userId} name={p.displayName} className="btn px-2 py-1 text-xs text-slate-300 ring-1 ring-white/20 hover:bg-white/10" />
              ) : null}
              {amHost && !p.isSelf && engine ? (
                <span className="flex w-full justify-end gap-1.5">
                  {micOn ? (
                    <button
                      type="button"
                      className="btn px-2 py-1 text-xs text-slate-100 ring-1 ring-white/20 hover:bg-white/10"
                      disabled={busy === `mute:${p.peerId}`}
                      onClick={() => void act(`mute:${p.peerId}`, () => engine.muteParticipant(p.peerId))}
                    >
                      Mute {p.displayName}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="btn px-2 py-1 text-xs text-red-200 ring-1 ring-red-400/40 hover:bg-red-500/20"
                    disabled={busy === `remove:${p.peerId}`}
                    onClick={() => {
                      if (window.confirm(`Remove ${p.displayName} from the meeting?`)) void act(`remove:${p.peerId}`, () => engine.removeParticipant(p.peerId));
                    }}
                  >
                    Remove {p.displayName}
                  </button>
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

"use client";

import { useEffect, useMemo } from "react";
import { useShallow } from "zustand/react/shallow";
import { peerQuality, pickTrack, publishing, useMeetingStore, type Participant } from "@/stores/meeting";
import { useMediaQuery } from "./useMediaQuery";
import { VideoTile, type TileProps } from "./VideoTile";

/** Tiles per page (self view included). */
export const PAGE_SIZE = 9;

function columnsFor(count: number, wide: boolean): number {
  if (!wide) return count <= 2 ? 1 : 2;
  if (count <= 1) return 1;
  if (count <= 4) return 2;
  return 3;
}

export function VideoGrid() {
  const { participants, order, tracks, scores, activeSpeakerId, local, page, setPage, mode } = useMeetingStore(
    useShallow((s) => ({
      participants: s.participants,
      order: s.order,
      tracks: s.tracks,
      scores: s.scores,
      activeSpeakerId: s.activeSpeakerId,
      local: s.local,
      page: s.page,
      setPage: s.setPage,
      mode: s.topology.mode,
    })),
  );
  const wide = useMediaQuery("(min-width: 640px)");

  const { self, remote } = useMemo(() => {
    let self: TileProps | null = null;
    const screens: TileProps[] = [];
    const people: TileProps[] = [];
    for (const peerId of order) {
      const p: Participant | undefined = participants[peerId];
      if (!p) continue;
      // over P2P there is no SFU producer to tell: a direct audio track counts as on
      const micOff = !publishing(p, "mic") && pickTrack(tracks, peerId, "mic", mode)?.via !== "p2p";
      if (p.isSelf) {
        self = {
          peerId,
          source: "camera",
          name: p.displayName,
          isSelf: true,
          isBot: p.isBot,
          track: local.camera,
          micOff: local.micMuted || !local.mic,
          active: activeSpeakerId === peerId,
          quality: null,
        };
        if (local.screen)
          screens.push({ peerId, source: "screen", name: p.displayName, isSelf: true, isBot: p.isBot, track: local.screen, micOff: false, active: false, quality: null });
        continue;
      }
      const cam = pickTrack(tracks, peerId, "camera", mode);
      const quality = peerQuality(scores, peerId);
      // a direct (P2P) track has no SFU producer behind it: its presence says the camera is on
      const camOn = publishing(p, "camera") || cam?.via === "p2p";
      people.push({
        peerId,
        source: "camera",
        name: p.displayName,
        isSelf: false,
        isBot: p.isBot,
        track: camOn ? (cam?.track ?? null) : null,
        micOff,
        active: activeSpeakerId === peerId,
        quality,
      });
      const scr = pickTrack(tracks, peerId, "screen", mode);
      if (p.producers.some((x) => x.source === "screen") || scr?.via === "p2p") {
        screens.push({ peerId, source: "screen", name: p.displayName, isSelf: false, isBot: p.isBot, track: scr?.track ?? null, micOff: false, active: false, quality });
      }
    }
    // screens first (they matter most), then people; the self view leads every page
    return { self, remote: [...screens, ...people] };
  }, [participants, order, tracks, scores, activeSpeakerId, local, mode]);

  const perPage = self ? PAGE_SIZE - 1 : PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(remote.length / perPage));
  const current = Math.min(page, pages - 1);
  useEffect(() => {
    if (current !== page) setPage(current);
  }, [current, page, setPage]);

  const shown = remote.slice(current * perPage, (current + 1) * perPage);
  const tiles = self ? [self, ...shown] : shown;
  const cols = columnsFor(tiles.length, wide);
  const rows = Math.ceil(tiles.length / cols);

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <div className="grid min-h-0 flex-1 gap-2" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))` }}>
        {tiles.map((t) => (
          <VideoTile key={`${t.peerId}:${t.source}`} {...t} />
        ))}
      </div>
      {remote.length === 0 ? <p className="text-center text-sm text-slate-400">Waiting for others to join. Share the link to invite them.</p> : null}
      {pages > 1 ? (
        <nav aria-label="Video pages" className="flex items-center justify-center gap-3 text-sm">
          <button type="button" className="btn border border-white/20 text-slate-100 hover:bg-white/10" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous page
          </button>
          <span aria-live="polite">
            Page {current + 1} of {pages}
          </span>
          <button type="button" className="btn border border-white/20 text-slate-100 hover:bg-white/10" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next page
          </button>
        </nav>
      ) : null}
    </div>
  );
}

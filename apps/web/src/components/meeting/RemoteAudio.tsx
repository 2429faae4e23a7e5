"use client";

import { useEffect, useRef } from "react";
import { pickTrack, useMeetingStore, type RemoteTrack } from "@/stores/meeting";

/** Plays every remote microphone (one path per peer during a P2P/SFU switch), whatever page of the grid is shown. */
export function RemoteAudio() {
  const tracks = useMeetingStore((s) => s.tracks);
  const mode = useMeetingStore((s) => s.topology.mode);
  const peers = new Set(
    Object.values(tracks)
      .filter((t) => t.kind === "audio")
      .map((t) => t.peerId),
  );
  const audio = [...peers].map((peerId) => pickTrack(tracks, peerId, "mic", mode)).filter((t): t is RemoteTrack => !!t);
  return (
    <div hidden>
      {audio.map((t) => (
        <AudioTrack key={t.consumerId} track={t} />
      ))}
    </div>
  );
}

function AudioTrack({ track }: { track: RemoteTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track.track]);
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [track.track]);
  return <audio ref={ref} autoPlay data-peer-id={track.peerId} data-source={track.source} />;
}

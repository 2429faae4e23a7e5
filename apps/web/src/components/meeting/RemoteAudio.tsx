"use client";

import { useEffect, useRef } from "react";
import { useMeetingStore, type RemoteTrack } from "@/stores/meeting";

/** Plays every remote microphone, whatever page of the grid is shown. */
export function RemoteAudio() {
  const tracks = useMeetingStore((s) => s.tracks);
  const audio = Object.values(tracks).filter((t) => t.kind === "audio");
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

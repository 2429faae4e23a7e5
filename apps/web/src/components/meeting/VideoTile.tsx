"use client";

import { useEffect, useRef } from "react";
import type { Quality } from "@/stores/meeting";
import { useEngine } from "./engineRef";
import { BotBadge } from "./BotBadge";
import { QualityBars } from "./QualityBars";

export interface TileProps {
  peerId: string;
  source: "camera" | "screen";
  name: string;
  isSelf: boolean;
  /** a bot (a program in the meeting, not a person): its tile says so */
  isBot: boolean;
  track: MediaStreamTrack | null;
  micOff: boolean;
  active: boolean;
  quality: Quality | null;
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("") || "?";

/**
 * One person's camera or screen. A remote tile tells the engine it is on screen (so the SFU sends it) and
 * how big it is rendered (so the SFU sends the matching simulcast layer).
 */
export function VideoTile({ peerId, source, name, isSelf, isBot, track, micOff, active, quality }: TileProps) {
  const engine = useEngine();
  const boxRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = track ? new MediaStream([track]) : null;
    if (track) video.play().catch(() => undefined);
    // a detached <video> keeps its last camera frame until garbage collection, and the capture has only a few
    // frame buffers (shared by every page using the camera): without this, the camera stopped delivering frames
    // to every sink, the call's encoder included, for about 2.5 s after a join
    return () => {
      video.srcObject = null;
    };
  }, [track]);

  useEffect(() => {
    if (isSelf || !engine) return;
    engine.setVideoVisible(peerId, source, true);
    const box = boxRef.current;
    let observer: ResizeObserver | null = null;
    if (box && typeof ResizeObserver !== "undefined") {
      let last = "";
      observer = new ResizeObserver(([entry]) => {
        if (!entry) return;
        const { width, height } = entry.contentRect;
        // report in 40 px steps: layer choices only change at much coarser sizes
        const bucket = `${Math.round(width / 40)}x${Math.round(height / 40)}`;
        if (bucket === last) return;
        last = bucket;
        engine.setVideoSize(peerId, source, Math.round(width), Math.round(height));
      });
      observer.observe(box);
    }
    return () => {
      observer?.disconnect();
      engine.setVideoVisible(peerId, source, false);
    };
  }, [engine, isSelf, peerId, source]);

  const label = isSelf ? (source === "screen" ? `Your screen` : `${name} (you)`) : source === "screen" ? `${name}'s screen` : name;

  return (
    <div
      ref={boxRef}
      className={`relative min-h-0 overflow-hidden rounded-xl bg-slate-800 ring-offset-2 ring-offset-slate-950 transition-shadow ${active ? "ring-4 ring-emerald-400" : ""}`}
      data-active-speaker={active ? "true" : undefined}
    >
      {track ? (
        <video
          ref={videoRef}
          autoPlay
          playsInline
          muted
          data-peer-id={peerId}
          data-source={source}
          data-self={isSelf ? "true" : undefined}
          aria-label={label}
          className={`h-full w-full ${source === "screen" ? "object-contain" : "object-cover"} ${isSelf && source === "camera" ? "-scale-x-100" : ""}`}
        />
      ) : (
        <div className="flex h-full w-full items-center justify-center" role="img" aria-label={`${label}, camera off`}>
          <span aria-hidden="true" className="flex h-16 w-16 items-center justify-center rounded-full bg-indigo-600 text-xl font-semibold text-white sm:h-20 sm:w-20 sm:text-2xl">
            {initials(name)}
          </span>
        </div>
      )}
      <div className="absolute inset-x-0 bottom-0 flex items-center gap-2 bg-gradient-to-t from-black/70 to-transparent px-3 py-1.5 text-sm">
        <span className="truncate font-medium text-white">{label}</span>
        {isBot ? <BotBadge /> : null}
        {micOff && source === "camera" ? <MicOffIcon /> : null}
        {quality ? (
          <span className="ml-auto" aria-hidden="true">
            <QualityBars quality={quality} />
          </span>
        ) : null}
      </div>
    </div>
  );
}

function MicOffIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="h-4 w-4 shrink-0 text-red-400" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
      <path d="M9 9v3a3 3 0 0 0 5.12 2.12M15 9.34V5a3 3 0 0 0-5.94-.6" />
      <path d="M17 16.95A7 7 0 0 1 5 12v-2m14 0v2c0 .76-.12 1.49-.34 2.18M12 19v3M3 3l18 18" />
    </svg>
  );
}

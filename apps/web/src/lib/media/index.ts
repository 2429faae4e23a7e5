// The page's entry to media: create the engine for a meeting and expose test/debug hooks.
import type { MediaEngine } from "./engine";
import { SfuEngine } from "./sfuEngine";
import { getSignaling } from "./signaling";

export type { MediaEngine, JoinOptions, PeerStats, VideoSource } from "./engine";
export { qualityPreset } from "./devices";

/** The engine for this tab. Every meeting uses the SFU for now; a P2P mesh engine slots in here by mode. */
export function createEngine(realtimeUrl: string): MediaEngine & { leaveNow(): void; readonly peerId: string | null } {
  const engine = new SfuEngine(getSignaling(realtimeUrl));
  exposeDebug(engine);
  return engine;
}

declare global {
  interface Window {
    /** Debug/test hooks: inbound stats per remote peer, our peer id, when the page loaded. */
    __qualmeet?: {
      loadedAt: number;
      peerId: string | null;
      stats(): ReturnType<MediaEngine["stats"]>;
      localStats(): ReturnType<SfuEngine["localStats"]>;
      engine: MediaEngine;
    };
  }
}

function exposeDebug(engine: SfuEngine): void {
  if (typeof window === "undefined") return;
  const loadedAt = window.__qualmeet?.loadedAt ?? performance.timeOrigin;
  window.__qualmeet = {
    loadedAt,
    get peerId() {
      return engine.peerId;
    },
    stats: () => engine.stats(),
    localStats: () => engine.localStats(),
    engine,
  };
}

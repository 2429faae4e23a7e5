// The page's entry to media: create the engine for a meeting and expose test/debug hooks.
import type { MediaEngine } from "./engine";
import { SfuEngine } from "./sfuEngine";
import { getSignaling } from "./signaling";

export type { MediaEngine, JoinOptions, PeerStats, VideoSource } from "./engine";
export { qualityPreset } from "./devices";
export { warmDevice } from "./sfuDevice";

/**
 * The engine for this tab: it runs the meeting as a P2P mesh (meshEngine.ts) or over the SFU, as the server
 * decides, and switches between them without the page noticing.
 */
export function createEngine(
  realtimeUrl: string,
  iceTransportPolicy: RTCIceTransportPolicy = "all",
): MediaEngine & { leaveNow(): void; readonly peerId: string | null; setMeshThreshold(meshThreshold: number): Promise<void> } {
  const engine = new SfuEngine(getSignaling(realtimeUrl), iceTransportPolicy);
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
      /** the topology the media runs on: mode, mesh connections (state, polite side, first frame), SFU transports */
      topology(): ReturnType<SfuEngine["debugTopology"]>;
      /** every mesh connection offers at once (glare tests) */
      forceMeshOffer(): Promise<unknown>;
      /** fetch and apply fresh ICE servers now (normally at 3/4 of the credential's life: iceRefresh.ts) */
      refreshIceServers(): Promise<void>;
      engine: MediaEngine;
    };
  }
}

function exposeDebug(engine: SfuEngine): void {
  // only in the build tests make (next.config.ts): the product's pages expose nothing of the meeting
  if (process.env.QUALMEET_TEST_HOOKS !== "1" || typeof window === "undefined") return;
  const loadedAt = window.__qualmeet?.loadedAt ?? performance.timeOrigin;
  window.__qualmeet = {
    loadedAt,
    get peerId() {
      return engine.peerId;
    },
    stats: () => engine.stats(),
    localStats: () => engine.localStats(),
    topology: () => engine.debugTopology(),
    forceMeshOffer: () => engine.forceMeshOffer(),
    refreshIceServers: () => engine.refreshIceServers(),
    engine,
  };
}

// The page's own measurements for the operators' metrics (metrics.reportMedia on the web app, served at /metrics):
// how long a join took to the first remote frame, and ICE failures and restarts. Fire and forget: a report that
// fails (offline, rate limited) changes nothing for the call.
import { createWebClient, type AppRouter, type TRPCClient } from "@qualmeet/client";
import type { MediaEngine } from "./engine";

type MediaReport = Parameters<TRPCClient<AppRouter>["metrics"]["reportMedia"]["mutate"]>[0];
type Mode = "P2P" | "SFU";

/** A join that shows nobody's video within this long is not reported (nobody had a camera on, say). */
const FIRST_FRAME_WAIT_MS = 60_000;
const POLL_MS = 250;

let http: TRPCClient<AppRouter> | null = null;

export function reportMedia(report: MediaReport): void {
  http ??= createWebClient();
  http.metrics.reportMedia.mutate(report).catch((error: unknown) => console.warn("[metrics] media report not sent", report.kind, error));
}

export const modeOf = (engine: Pick<MediaEngine, "topology">): Mode => (engine.topology === "sfu" ? "SFU" : "P2P");

/**
 * Reports the join time once the first remote video frame is decoded: `clickedAt` is when Join was pressed
 * (performance.now()). `relayed`: the page sends media through TURN only.
 */
export async function reportFirstRemoteFrame(engine: MediaEngine, clickedAt: number, relayed: boolean): Promise<void> {
  while (performance.now() - clickedAt < FIRST_FRAME_WAIT_MS) {
    const peers = Object.values(await engine.stats().catch(() => ({})));
    if (peers.some((p) => (p.camera?.framesDecoded ?? 0) > 0 || (p.screen?.framesDecoded ?? 0) > 0)) {
      reportMedia({ kind: "join", mode: modeOf(engine), ms: Math.round(performance.now() - clickedAt), path: relayed ? "relay" : "direct" });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

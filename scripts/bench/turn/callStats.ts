/// <reference lib="dom" />
// What bench:turn reads from, and sets on, a page's RTCPeerConnections (kept by tests/harness/peerConnections.ts):
// the selected candidate pair's round-trip time, the video bytes received, and a cap on the camera's bitrate.
import type { Page } from "playwright-core";

export interface CallStats {
  /** the selected candidate pair's currentRoundTripTime (STUN consent checks), ms; null before the first answer */
  rttMs: number | null;
  /** the selected pairs' totalRoundTripTime (s) and responsesReceived so far: their deltas give a window's mean RTT */
  rttTotalS: number;
  rttResponses: number;
  /** bytes of remote video received so far, over every connected RTCPeerConnection of the page */
  videoBytesReceived: number;
  /** the camera's encoder as it runs now (outbound-rtp): why a stream stays below its cap */
  sending: { targetKbps: number; width: number; fps: number; limitedBy: string } | null;
}

export function readCallStats(page: Page): Promise<CallStats> {
  return page.evaluate(async () => {
    const connections = (window.__peerConnections ?? []).map((r) => r.pc).filter((pc) => pc.connectionState === "connected");
    let rttMs: number | null = null;
    let rttTotalS = 0;
    let rttResponses = 0;
    let videoBytesReceived = 0;
    let sending: CallStats["sending"] = null;
    for (const pc of connections) {
      const stats = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>;
      const transport = stats.find((s) => s.type === "transport" && s.selectedCandidatePairId);
      const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
      if (typeof pair?.currentRoundTripTime === "number") rttMs = pair.currentRoundTripTime * 1000;
      rttTotalS += Number(pair?.totalRoundTripTime ?? 0);
      rttResponses += Number(pair?.responsesReceived ?? 0);
      for (const s of stats) if (s.type === "inbound-rtp" && s.kind === "video") videoBytesReceived += Number(s.bytesReceived ?? 0);
      const out = stats.find((s) => s.type === "outbound-rtp" && s.kind === "video");
      if (out)
        sending = {
          targetKbps: Math.round(Number(out.targetBitrate ?? 0) / 1000),
          width: Number(out.frameWidth ?? 0),
          fps: Number(out.framesPerSecond ?? 0),
          limitedBy: String(out.qualityLimitationReason ?? ""),
        };
    }
    return { rttMs, rttTotalS, rttResponses, videoBytesReceived, sending };
  });
}

/**
 * Caps every video sender of the page at `bitsPerSecond` (RTCRtpSender.setParameters, encodings' maxBitrate; the
 * P2P mesh sets none, so Chromium's default for the resolution applies otherwise). Returns how many it capped.
 */
export function capVideoBitrate(page: Page, bitsPerSecond: number): Promise<number> {
  return page.evaluate(async (bps) => {
    let capped = 0;
    for (const pc of (window.__peerConnections ?? []).map((r) => r.pc).filter((c) => c.connectionState === "connected")) {
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== "video") continue;
        const parameters = sender.getParameters();
        if (!parameters.encodings.length) continue;
        for (const encoding of parameters.encodings) encoding.maxBitrate = bps;
        await sender.setParameters(parameters);
        capped++;
      }
    }
    return capped;
  }, bitsPerSecond);
}

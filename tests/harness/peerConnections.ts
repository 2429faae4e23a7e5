/// <reference lib="dom" />
// What a page's RTCPeerConnections (the P2P mesh's and mediasoup-client's) actually use: the ICE candidate pair
// each connected one selected, how long each took to gather its candidates, the TURN credentials each holds. For
// the TURN and ICE-TCP end-to-end tests and bench:turn.
import type { Page } from "playwright-core";

declare global {
  interface Window {
    __peerConnections?: RecordedConnection[];
  }
}

export interface RecordedConnection {
  pc: RTCPeerConnection;
  createdAt: number;
  /** when iceGatheringState first became "complete" (performance.now()), null while still gathering */
  gatheredAt: number | null;
}

/** The selected candidate pair of one connected RTCPeerConnection, as its getStats() describes it. */
export interface SelectedPair {
  /** the local candidate: host, srflx, prflx or relay */
  localType: string;
  /** how the pair's packets travel: udp or tcp (for a relay candidate, between the browser and the TURN server) */
  protocol: string;
  /** for a relay candidate: udp, tcp or tls, the transport to the TURN server */
  relayProtocol: string | null;
  remoteAddress: string;
  remotePort: number;
}

/** Keeps every RTCPeerConnection the page creates, with its gathering times, for the functions below. Call before the page loads. */
export async function recordPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const seen: RecordedConnection[] = [];
    window.__peerConnections = seen;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        const entry: RecordedConnection = { pc: this, createdAt: performance.now(), gatheredAt: null };
        seen.push(entry);
        this.addEventListener("icegatheringstatechange", () => {
          if (this.iceGatheringState === "complete") entry.gatheredAt ??= performance.now();
        });
      }
    } as typeof RTCPeerConnection;
  });
}

/** The selected pair of each connected RTCPeerConnection of the page, once every connected one has selected one. */
export async function selectedPairs(page: Page, timeoutMs = 20_000): Promise<SelectedPair[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await page.evaluate(async () => {
      const recorded = window.__peerConnections ?? [];
      const connected = recorded.map((r) => r.pc).filter((pc) => pc.connectionState === "connected");
      return Promise.all(
        connected.map(async (pc) => {
          const stats = [...(await pc.getStats()).values()] as Array<Record<string, string | undefined>>;
          const transport = stats.find((s) => s.type === "transport" && s.selectedCandidatePairId);
          const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
          const local = stats.find((s) => s.id === pair?.localCandidateId);
          const remote = stats.find((s) => s.id === pair?.remoteCandidateId);
          if (!local || !remote) return null;
          return {
            localType: local.candidateType!,
            protocol: local.protocol!,
            relayProtocol: local.relayProtocol ?? null,
            remoteAddress: remote.address!,
            remotePort: Number(remote.port),
          };
        }),
      );
    });
    if (found.length > 0 && found.every((pair) => pair !== null)) return found as SelectedPair[];
    if (Date.now() > deadline) throw new Error(`timed out waiting for selected candidate pairs: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A pair's path as people name it: "host", "relay/udp", "relay/tls"... */
export const pathOf = (pair: SelectedPair): string => (pair.relayProtocol ? `${pair.localType}/${pair.relayProtocol}` : pair.localType);

/**
 * For each open RTCPeerConnection of the page (closed ones, like mediasoup-client's capability probe, left out): ms
 * since its creation, and ms it took to gather all its candidates (null while it is still gathering, e.g. waiting
 * on a TURN server that does not answer).
 */
export function gatheringTimes(page: Page): Promise<Array<{ ageMs: number; gatheredMs: number | null }>> {
  return page.evaluate(() =>
    (window.__peerConnections ?? [])
      .filter((r) => r.pc.signalingState !== "closed")
      .map((r) => ({ ageMs: Math.round(performance.now() - r.createdAt), gatheredMs: r.gatheredAt === null ? null : Math.round(r.gatheredAt - r.createdAt) })),
  );
}

/** For each open RTCPeerConnection of the page: every STUN and TURN URL it was configured with. */
export function iceServerUrls(page: Page): Promise<string[][]> {
  return page.evaluate(() =>
    (window.__peerConnections ?? []).filter((r) => r.pc.signalingState !== "closed").map((r) => (r.pc.getConfiguration().iceServers ?? []).flatMap((server) => server.urls)),
  );
}

/** The TURN credentials each open RTCPeerConnection of the page is configured with (username `<expiry>:<userId>`). */
export function turnCredentialsInUse(page: Page): Promise<Array<{ username: string; credential: string }>> {
  return page.evaluate(() =>
    (window.__peerConnections ?? [])
      .filter((r) => r.pc.signalingState !== "closed")
      .flatMap((r) => r.pc.getConfiguration().iceServers ?? [])
      .filter((server) => server.username && typeof server.credential === "string")
      .map((server) => ({ username: server.username!, credential: server.credential as string })),
  );
}

/// <reference lib="dom" />
// Every RTCPeerConnection a page creates (the P2P mesh's and mediasoup-client's), kept for reading their stats:
// which candidate pair each one selected (relay or direct, over which protocol). Used by the TURN end-to-end test
// and bench:turn.
import type { Page } from "playwright-core";

declare global {
  interface Window {
    __peerConnections?: RTCPeerConnection[];
  }
}

/** From the page's next navigation on, keeps every RTCPeerConnection it creates in `window.__peerConnections`. */
export async function recordPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const seen: RTCPeerConnection[] = [];
    window.__peerConnections = seen;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        seen.push(this);
      }
    } as typeof RTCPeerConnection;
  });
}

/** The local candidate of the selected pair of each connected RTCPeerConnection of the page: type (and relay protocol), e.g. "relay/tcp", "host". */
export function selectedCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const connections = (window.__peerConnections ?? []).filter((pc) => pc.connectionState === "connected");
    return Promise.all(
      connections.map(async (pc) => {
        const stats = [...(await pc.getStats()).values()] as Array<Record<string, string>>;
        const transport = stats.find((s) => s.type === "transport" && s.selectedCandidatePairId);
        const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
        const local = stats.find((s) => s.id === pair?.localCandidateId);
        return local ? `${local.candidateType}${local.relayProtocol ? `/${local.relayProtocol}` : ""}` : "none";
      }),
    );
  });
}

/// <reference lib="dom" />
// What a page's RTCPeerConnections (the mesh's and mediasoup-client's) are doing, read from inside the page: the
// tests of relayed and reconnected calls check the candidates and the ICE servers each connection uses.
import type { Page } from "playwright-core";

/** Keeps every RTCPeerConnection the page creates (the mesh's and mediasoup-client's) for the stats below. */
export async function recordPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const seen: RTCPeerConnection[] = [];
    (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = seen;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        seen.push(this);
      }
    } as typeof RTCPeerConnection;
  });
}

/** The local candidate of the selected pair of each connected RTCPeerConnection of the page: type (and relay protocol). */
export function selectedCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections.filter((pc) => pc.connectionState === "connected");
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

/** The TURN credentials each open RTCPeerConnection of the page is configured with (username `<expiry>:<userId>`). */
export function turnCredentialsInUse(page: Page): Promise<Array<{ username: string; credential: string }>> {
  return page.evaluate(() =>
    (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections
      .filter((pc) => pc.connectionState !== "closed")
      .flatMap((pc) => pc.getConfiguration().iceServers ?? [])
      .filter((server) => server.username && typeof server.credential === "string")
      .map((server) => ({ username: server.username!, credential: server.credential as string })),
  );
}

/// <reference lib="dom" />
// ICE_TRANSPORT_POLICY=relay in real Chromium with a real coturn (tests/harness/coturn.ts, on loopback): a 2-person
// call, as a P2P mesh and over the SFU, connects only through TURN: remote video decodes and every connected
// RTCPeerConnection on each page has selected a candidate pair whose local side is a `relay` candidate.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { startCoturn, type TestCoturn } from "../../../tests/harness/coturn.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { expectDecoding, join, newPage, poll, topology } from "./support/meetingPages.ts";

const secret = randomBytes(24).toString("base64url");
let coturn: TestCoturn;
let web: WebServer;
let realtime: RealtimeServer;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  coturn = await startCoturn({ secret });
  const webPort = await freePort();
  // UDP and TCP: the `turns:` URL names a certificate this Chromium does not trust
  const urls = coturn.urls.filter((url) => url.startsWith("turn:"));
  realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: { TURN_URLS: urls.join(","), TURN_SECRET: secret } });
  [web, browser] = await Promise.all([startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ICE_TRANSPORT_POLICY: "relay" } }), launchChromium()]);
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), realtime?.stop()]);
  await coturn?.stop();
});

/** Keeps every RTCPeerConnection the page creates (the mesh's and mediasoup-client's) for the stats below. */
async function recordPeerConnections(page: Page): Promise<void> {
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

/** The local candidate type of the selected pair of each connected RTCPeerConnection of the page. */
function selectedCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections.filter((pc) => pc.connectionState === "connected");
    return Promise.all(
      connections.map(async (pc) => {
        const stats = [...(await pc.getStats()).values()] as Array<Record<string, string>>;
        const transport = stats.find((s) => s.type === "transport" && s.selectedCandidatePairId);
        const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
        return stats.find((s) => s.id === pair?.localCandidateId)?.candidateType ?? "none";
      }),
    );
  });
}

for (const { mode, p2pMaxParticipants } of [
  { mode: "P2P", p2pMaxParticipants: 3 },
  { mode: "SFU", p2pMaxParticipants: 0 },
] as const) {
  test(`${mode}: with ICE_TRANSPORT_POLICY=relay a 2-person call connects through coturn`, { timeout: 180_000 }, async () => {
    const host = await newUser(web.url, "Rita Relay");
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Relayed", maxParticipants: 10, p2pMaxParticipants });
    const a = await newPage(browser, contexts, host.cookie);
    const b = await newPage(browser, contexts);
    await Promise.all([recordPeerConnections(a), recordPeerConnections(b)]);
    await join(a, web.url, meeting.code);
    await join(b, web.url, meeting.code, "Rob Guest");
    await Promise.all([expectDecoding(a, 1, 60_000), expectDecoding(b, 1, 60_000)]);
    expect((await topology(a)).mode).toBe(mode);
    for (const page of [a, b]) {
      const types = await poll("selected candidate pairs", async () => {
        const found = await selectedCandidateTypes(page);
        return found.length > 0 && !found.includes("none") ? found : null;
      });
      expect(new Set(types)).toEqual(new Set(["relay"]));
    }
  });
}

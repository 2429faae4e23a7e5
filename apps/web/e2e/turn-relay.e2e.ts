/// <reference lib="dom" />
// ICE_TRANSPORT_POLICY=relay in real Chromium with a real coturn (tests/harness/coturn.ts, on loopback): a 2-person
// call, as a P2P mesh and over the SFU, connects only through TURN: remote video decodes and every connected
// RTCPeerConnection on each page has selected a candidate pair whose local side is a `relay` candidate. With UDP
// "blocked" (only the `turn:…?transport=tcp` or only the `turns:` URL given), it relays over TCP or TLS.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { coturnUrl, startCoturn, type TestCoturn } from "../../../tests/harness/coturn.ts";
import { recordPeerConnections, selectedCandidateTypes } from "../../../tests/harness/peerConnections.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { expectDecoding, join, newPage, poll, topology } from "./support/meetingPages.ts";

const secret = randomBytes(24).toString("base64url");
let coturn: TestCoturn;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  // the self-signed certificate of the test coturn's TLS listener
  [coturn, browser] = await Promise.all([startCoturn({ secret }), launchChromium({ args: ["--ignore-certificate-errors"] })]);
});

/** A realtime node handing out `turnUrls` and a web app telling pages to relay everything. */
async function relayOnlyStack(turnUrls: string[]): Promise<{ web: WebServer; realtime: RealtimeServer; stop(): Promise<void> }> {
  const webPort = await freePort();
  const realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: { TURN_URLS: turnUrls.join(","), TURN_SECRET: secret } });
  const web = await startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ICE_TRANSPORT_POLICY: "relay" } }).catch(async (error: unknown) => {
    await realtime.stop();
    throw error;
  });
  return { web, realtime, stop: async () => void (await Promise.allSettled([web.stop(), realtime.stop()])) };
}

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await browser?.close();
  await coturn?.stop();
});

const cases = (["udp", "tcp", "tls"] as const).flatMap((transport) => [
  { mode: "P2P", p2pMaxParticipants: 3, transport },
  { mode: "SFU", p2pMaxParticipants: 0, transport },
]);

for (const { mode, p2pMaxParticipants, transport } of cases) {
  test(`${mode}: with ICE_TRANSPORT_POLICY=relay and only TURN over ${transport}, a 2-person call connects through coturn`, { timeout: 180_000 }, async () => {
    const { web, stop } = await relayOnlyStack([coturnUrl(coturn, transport)]);
    try {
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
        expect(new Set(types)).toEqual(new Set([`relay/${transport}`]));
      }
    } finally {
      await Promise.allSettled(contexts.splice(0).map((c) => c.close()));
      await stop();
    }
  });
}

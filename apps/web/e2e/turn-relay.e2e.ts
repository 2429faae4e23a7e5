/// <reference lib="dom" />
// ICE_TRANSPORT_POLICY=relay in real Chromium with a real coturn (tests/harness/coturn.ts, on loopback): a 2-person
// call, as a P2P mesh and over the SFU, and a 4-person SFU meeting connect only through TURN: remote video decodes
// and every connected RTCPeerConnection on each page has selected a candidate pair whose local side is a `relay`
// candidate. With UDP "blocked" (only the `turn:…?transport=tcp` or only the `turns:` URL given), the same calls
// relay over TCP or TLS.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { startCoturn, type TestCoturn } from "../../../tests/harness/coturn.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { expectDecoding, join, newPage, topology } from "./support/meetingPages.ts";
import { pathOf, recordPeerConnections, selectedPairs } from "../../../tests/harness/peerConnections.ts";

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
  { mode: "P2P", p2pMaxParticipants: 3, transport, people: 2 },
  { mode: "SFU", p2pMaxParticipants: 0, transport, people: 2 },
  { mode: "SFU", p2pMaxParticipants: 0, transport, people: 4 },
]);

for (const { mode, p2pMaxParticipants, transport, people } of cases) {
  test(`${mode}: with ICE_TRANSPORT_POLICY=relay and only TURN over ${transport}, a ${people}-person call connects through coturn`, { timeout: 240_000 }, async () => {
    const urls = coturn.urls.filter((url) => (transport === "tls" ? url.startsWith("turns:") : url.startsWith("turn:") && url.endsWith(`transport=${transport}`)));
    expect(urls).toHaveLength(1);
    const { web, stop } = await relayOnlyStack(urls);
    try {
      const host = await newUser(web.url, "Rita Relay");
      const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Relayed", maxParticipants: 10, p2pMaxParticipants });
      const pages = [await newPage(browser, contexts, host.cookie)];
      for (let i = 1; i < people; i++) pages.push(await newPage(browser, contexts));
      await Promise.all(pages.map(recordPeerConnections));
      await join(pages[0]!, web.url, meeting.code);
      for (let i = 1; i < people; i++) await join(pages[i]!, web.url, meeting.code, `Guest ${i}`);
      await Promise.all(pages.map((page) => expectDecoding(page, people - 1, 90_000)));
      expect((await topology(pages[0]!)).mode).toBe(mode);
      for (const page of pages) {
        const pairs = await selectedPairs(page);
        expect(new Set(pairs.map(pathOf))).toEqual(new Set([`relay/${transport}`]));
      }
    } finally {
      await Promise.allSettled(contexts.splice(0).map((c) => c.close()));
      await stop();
    }
  });
}

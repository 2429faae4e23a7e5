/// <reference lib="dom" />
// Fresh TURN credentials applied to a running call in real Chromium, over the P2P mesh (RTCPeerConnection
// setConfiguration) and over the SFU (mediasoup-client's transport.updateIceServers): the call goes on, nothing is
// rebuilt, no refusal is logged. With a daily quota of two credentials (the join, one refresh), the next refresh is
// over it: the page tells the person and the call still goes on with STUN only. (No TURN server listens here: the calls run on loopback;
// coturn itself is tests/harness/coturn.ts's part.)
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { connectionState, expectDecoding, join, newPage, topology } from "./support/meetingPages.ts";

const RELAY_NOTICE = "You have used today's relay allowance; calls behind strict firewalls may fail.";
let web: WebServer;
let realtime: RealtimeServer;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  const webPort = await freePort();
  const turnPort = await freePort();
  realtime = await startRealtime({
    allowedOrigins: [`http://localhost:${webPort}`],
    env: { TURN_URLS: `turn:127.0.0.1:${turnPort}`, TURN_SECRET: "turn-refresh-e2e-secret", TURN_DAILY_QUOTA: "2" },
  });
  [web, browser] = await Promise.all([startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl } }), launchChromium()]);
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), realtime?.stop()]);
});

/** The page's warnings about ICE servers it could not apply. */
function refusals(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/setConfiguration failed|updateIceServers failed|ICE server refresh failed/.test(message.text())) seen.push(message.text());
  });
  return seen;
}

const refreshIceServers = (page: Page) => page.evaluate(() => (window.__qualmeet as unknown as { refreshIceServers(): Promise<void> }).refreshIceServers());

for (const { mode, p2pMaxParticipants } of [
  { mode: "P2P", p2pMaxParticipants: 3 },
  { mode: "SFU", p2pMaxParticipants: 0 },
] as const) {
  test(`${mode}: fresh ICE servers mid-call (then STUN only over the quota, with a notice) keep the call going`, { timeout: 180_000 }, async () => {
    const host = await newUser(web.url, "Hana Host");
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Refresh", maxParticipants: 10, p2pMaxParticipants });
    const a = await newPage(browser, contexts, host.cookie);
    const b = await newPage(browser, contexts);
    const warnings = [...[a, b].map(refusals)];
    await join(a, web.url, meeting.code);
    await join(b, web.url, meeting.code, "Bob Guest");
    await Promise.all([expectDecoding(a, 1, 40_000), expectDecoding(b, 1, 40_000)]);
    const before = await topology(a);
    expect(before.mode).toBe(mode);

    // fresh TURN credentials (the day's second), applied in place
    await Promise.all([refreshIceServers(a), refreshIceServers(b)]);
    await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
    expect(await a.getByText(RELAY_NOTICE).count()).toBe(0);
    // the third is over the quota: STUN only, and the page says so
    await Promise.all([refreshIceServers(a), refreshIceServers(b)]);
    await a.getByText(RELAY_NOTICE).waitFor({ timeout: 10_000 });
    await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
    await connectionState(a, "Connected");
    const after = await topology(a);
    expect(after.mode).toBe(mode);
    if (mode === "P2P") expect(Object.values(after.mesh!).map((m) => [m.connectionState, m.replacements])).toEqual([["connected", 0]]);
    else expect(after.sfu).toBe(true);
    expect(warnings.flat()).toEqual([]);
  });
}

/// <reference lib="dom" />
// A call relayed through a real coturn (ICE_TRANSPORT_POLICY=relay) whose pages hold TURN credentials that have
// expired: their background refresh was lost on the way (the test drops the `room.iceServers` requests on the
// pages' WebSockets, as a flaky network would), so the credentials issued at join (TURN_CREDENTIAL_TTL_S=60) are
// the ones in use when they expire. coturn refuses them (its own turnutils_uclient, an independent client, tries).
// Then coturn restarts, every relay is gone and the connections must allocate new ones: the pages fetch fresh
// credentials at once (before their background retry) and reconnect through TURN without leaving the call (same
// participant, no reload, "Reconnecting" then "Connected"), over the SFU and over the P2P mesh.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { startCoturn, turnAllocate, type TestCoturn } from "../../../tests/harness/coturn.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { ICE_RETRY_MS } from "../src/lib/media/iceRefresh.ts";
import { CALL_TIMEOUT_MS } from "../src/lib/media/mediaCalls.ts";
import { expectDecoding, join, newPage, poll } from "./support/meetingPages.ts";
import { pathOf, recordPeerConnections, selectedPairs, turnCredentialsInUse } from "../../../tests/harness/peerConnections.ts";

const secret = randomBytes(24).toString("base64url");
let coturn: TestCoturn;
let browser: Browser;
let web: WebServer;
let realtime: RealtimeServer;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  [coturn, browser] = await Promise.all([startCoturn({ secret }), launchChromium()]);
  const webPort = await freePort();
  const turnUdp = coturn.urls.filter((url) => url.endsWith("transport=udp"));
  realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: { TURN_URLS: turnUdp.join(","), TURN_SECRET: secret, TURN_CREDENTIAL_TTL_S: "60" } });
  web = await startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ICE_TRANSPORT_POLICY: "relay" } });
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), realtime?.stop()]);
  await coturn?.stop();
});

/**
 * The page's realtime WebSocket through the test: `room.iceServers` requests are dropped while `losing` is on
 * (`lostAt`: when the first was); `fetchedAt`: when the others went through.
 */
async function lossyRefresh(page: Page): Promise<{ losing: boolean; lostAt: number | null; fetchedAt: number[] }> {
  const state = { losing: false, lostAt: null as number | null, fetchedAt: [] as number[] };
  await page.routeWebSocket(
    (url) => url.port === new URL(realtime.wsUrl).port,
    (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        const refresh = typeof message === "string" && message.includes('"room.iceServers"');
        if (refresh && state.losing) {
          state.lostAt ??= Date.now();
          return;
        }
        if (refresh) state.fetchedAt.push(Date.now());
        server.send(message);
      });
    },
  );
  return state;
}

/** Every text the connection indicator shows from now on. */
async function watchConnectionState(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const shown: string[] = [];
    (window as unknown as { __connectionStates: string[] }).__connectionStates = shown;
    const indicator = document.querySelector("#connection-state")!;
    new MutationObserver(() => shown.push(indicator.textContent ?? "")).observe(indicator, { childList: true, characterData: true, subtree: true });
  });
  return () => page.evaluate(() => (window as unknown as { __connectionStates: string[] }).__connectionStates);
}

const expiryOf = (username: string) => Number(username.split(":")[0]) * 1000;

for (const { mode, p2pMaxParticipants } of [
  { mode: "SFU", p2pMaxParticipants: 0 },
  { mode: "P2P", p2pMaxParticipants: 3 },
] as const) {
  test(`${mode}: pages holding expired TURN credentials reconnect through a restarted coturn with fresh ones, without leaving the call`, { timeout: 300_000 }, async () => {
    const host = await newUser(web.url, "Erin Expiry");
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Expiring", maxParticipants: 10, p2pMaxParticipants });
    const pages = [await newPage(browser, contexts, host.cookie), await newPage(browser, contexts)];
    await Promise.all(pages.map(recordPeerConnections));
    const networks = await Promise.all(pages.map(lossyRefresh));
    await join(pages[0]!, web.url, meeting.code);
    await join(pages[1]!, web.url, meeting.code, "Gus Guest");
    await Promise.all(pages.map((page) => expectDecoding(page, 1, 60_000)));
    for (const network of networks) network.losing = true;

    const joined = await Promise.all(
      pages.map(async (page) => ({
        peerId: await page.evaluate(() => window.__qualmeet!.peerId),
        loadedAt: await page.evaluate(() => window.__qualmeet!.loadedAt),
        credentials: await turnCredentialsInUse(page),
      })),
    );
    const held = joined.flatMap((page) => page.credentials);
    expect(held.length).toBeGreaterThan(0);
    const expiresAt = Math.max(...held.map((c) => expiryOf(c.username)));
    await new Promise((resolve) => setTimeout(resolve, expiresAt + 2000 - Date.now()));
    // still the join's credentials: the refresh (at 3/4 of their life) was lost
    for (const [i, page] of pages.entries()) expect(await turnCredentialsInUse(page)).toEqual(joined[i]!.credentials);
    expect(networks.every((network) => network.lostAt !== null)).toBe(true);
    const refused = await turnAllocate(coturn, "udp", held[0]!);
    expect(refused.ok, refused.output).toBe(false);

    for (const network of networks) network.losing = false;
    const connectionStates = await Promise.all(pages.map(watchConnectionState));
    await coturn.restart();

    for (const [i, page] of pages.entries()) {
      const fresh = await poll(
        "fresh TURN credentials on every connection",
        async () => {
          const inUse = await turnCredentialsInUse(page);
          return inUse.length > 0 && inUse.every((c) => expiryOf(c.username) > Date.now()) ? inUse : null;
        },
        120_000,
      );
      await expectDecoding(page, 1, 120_000);
      const pairs = await selectedPairs(page);
      expect(new Set(pairs.map(pathOf))).toEqual(new Set(["relay/udp"]));
      expect((await turnAllocate(coturn, "udp", fresh[0]!)).ok).toBe(true);
      // fetched because the connections were in trouble with credentials past due, not by the background retry
      // (due 10 s (the lost request's timeout) + 60 s (ICE_RETRY_MS) after the lost refresh)
      const lostAt = networks[i]!.lostAt!;
      expect(networks[i]!.fetchedAt[0]! - lostAt).toBeLessThan(CALL_TIMEOUT_MS + ICE_RETRY_MS - 5000);
      // the same participant on the same page: nobody left or reloaded
      expect(await page.evaluate(() => window.__qualmeet!.peerId)).toBe(joined[i]!.peerId);
      expect(await page.evaluate(() => window.__qualmeet!.loadedAt)).toBe(joined[i]!.loadedAt);
      const shown = await connectionStates[i]!();
      expect(shown, `page ${i + 1}`).toContain("Reconnecting");
      expect(shown.at(-1), `page ${i + 1}`).toBe("Connected");
    }
  });
}

/// <reference lib="dom" />
// A random-chat call that can only go through TURN: the realtime node hands out credentials for a real coturn
// (tests/harness/coturn.ts, UDP only) with each match, and the web app tells pages ICE_TRANSPORT_POLICY=relay. Two
// guests press Start, are matched, see and hear each other, and every connected RTCPeerConnection on both pages
// selected a relay candidate pair.
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { startCoturn, type TestCoturn } from "../../../tests/harness/coturn.ts";
import { pathOf, recordPeerConnections, selectedPairs } from "../../../tests/harness/peerConnections.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { expectSeesAndHears, openRandom, panelState, partnerOf, startButton, uniqueName } from "./support/randomPages.ts";

const secret = randomBytes(24).toString("base64url");
let coturn: TestCoturn;
let browser: Browser;
let web: WebServer;
let realtime: RealtimeServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [coturn, browser] = await Promise.all([startCoturn({ secret }), launchChromium()]);
  const webPort = await freePort();
  const turnUdp = coturn.urls.filter((url) => url.endsWith("transport=udp"));
  realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: { TURN_URLS: turnUdp.join(","), TURN_SECRET: secret } });
  // the guest sign-in bucket is shared in Redis with earlier test files' guests: one that refills within moments
  web = await startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ICE_TRANSPORT_POLICY: "relay", RATE_LIMIT_GUESTS_PER_HOUR: "100000" } });
});

afterEach(async () => {
  await Promise.allSettled(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), realtime?.stop()]);
  await coturn?.stop();
});

test("two guests matched in random chat talk through TURN when only relayed connections are allowed", { timeout: 180_000 }, async () => {
  const stack = { web, browser, contexts };
  const [annName, benName] = [uniqueName("Ann"), uniqueName("Ben")];
  const ann = await openRandom(stack, annName, { prepare: recordPeerConnections });
  const ben = await openRandom(stack, benName, { prepare: recordPeerConnections });
  await startButton(ann).click();
  await panelState(ann, "Searching");
  await startButton(ben).click();
  for (const page of [ann, ben]) await panelState(page, "Connected", 60_000);
  expect(await partnerOf(ann)).toBe(benName);
  for (const page of [ann, ben]) {
    await expectSeesAndHears(page);
    const pairs = await selectedPairs(page);
    expect(new Set(pairs.map(pathOf))).toEqual(new Set(["relay/udp"]));
  }
});

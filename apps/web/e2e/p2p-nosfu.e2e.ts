/// <reference lib="dom" />
// A realtime node without a media server (MEDIA_WORKERS=0): a small meeting runs on direct connections and
// says so; a join the mesh cannot carry says "Media server unavailable" and retries until the host lets the
// mesh grow ("P2P up to N people").
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { connectionState, expectDecoding, join, newPage, poll, topology } from "./support/meetingPages.ts";

let web: WebServer;
let realtime: RealtimeServer;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  const webPort = await freePort();
  realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: { MEDIA_WORKERS: "0" } });
  const [w, b] = await Promise.allSettled([startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl } }), launchChromium()]);
  if (w.status === "fulfilled") web = w.value;
  if (b.status === "fulfilled") browser = b.value;
  for (const r of [w, b]) if (r.status === "rejected") throw r.reason;
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), realtime?.stop()]);
});

describe("no media server", () => {
  test("direct connections while the mesh can carry the meeting; beyond it a join retries until the host raises the limit", { timeout: 120_000 }, async () => {
    const host = await newUser(web.url, "Hana Host");
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "No SFU", maxParticipants: 10, p2pMaxParticipants: 1 });
    const a = await newPage(browser, contexts, host.cookie);
    await join(a, web.url, meeting.code);
    await a.locator("#media-server-warning", { hasText: "Media server unavailable — using direct connections" }).waitFor();
    expect(await a.locator("#media-mode").innerText()).toBe("Direct (P2P)");

    // a second person is more than the mesh limit (1) and there is no SFU: refused, and the page keeps trying
    const b = await newPage(browser, contexts);
    await b.goto(`${web.url}/m/${meeting.code}?quality=low`);
    await b.getByLabel("Your name").fill("Bob Guest");
    await b.waitForFunction(
      () => {
        const v = document.querySelector<HTMLVideoElement>('video[aria-label="Camera preview"]');
        return !!v && v.readyState >= 2 && v.videoWidth > 0;
      },
      undefined,
      { timeout: 40_000 },
    );
    await b.getByRole("button", { name: "Join now" }).click();
    await b.locator("#join-status", { hasText: "Media server unavailable. Retrying…" }).waitFor();
    await b.waitForTimeout(4000);
    await b.locator("#join-status", { hasText: "Media server unavailable. Retrying…" }).waitFor({ timeout: 1000 });

    // the host lets the mesh grow to 2: B's next retry gets in, and they talk directly
    await a.getByLabel("P2P up to N people").selectOption("2");
    await connectionState(b, "Connected", 30_000);
    await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
    const t = await poll("mesh connected", async () => {
      const t = await topology(b);
      return t.mode === "P2P" && !t.sfu && Object.values(t.mesh ?? {}).some((m) => m.connectionState === "connected") ? t : null;
    });
    expect(t.sfu).toBe(false);
    expect(await a.getByLabel("P2P up to N people").inputValue()).toBe("2");
  });
});

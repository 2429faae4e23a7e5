/// <reference lib="dom" />
// Helpers for meeting e2e tests with real Chromium pages: sign-in cookies, joining, remote video frames.
import type { Browser, BrowserContext, Page } from "playwright-core";

export const STEP_MS = 20_000;

export interface Topology {
  mode: "P2P" | "SFU";
  switching: boolean;
  mesh: Record<string, { connectionState: string; signalingState: string; polite: boolean; firstFrameMs: number | null; replacements: number }> | null;
  sfu: boolean;
  switches: Array<{ to: string; startedAt: number; doneAt: number | null }>;
}

declare global {
  interface Window {
    __qualmeet?: {
      loadedAt: number;
      peerId: string | null;
      stats(): Promise<unknown>;
      localStats(): Promise<unknown>;
      topology?(): Topology;
      forceMeshOffer?(): Promise<unknown>;
    };
  }
}

/**
 * A page in its own browser context, signed in with `cookie` (a Cookie header) when given. `trace` turns on the
 * engine's extra tracing (first packet/frame per video), for tests that print those timings.
 */
export async function newPage(browser: Browser, contexts: BrowserContext[], cookie?: string, options: { trace?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  contexts.push(context);
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  if (cookie) {
    const cookies = cookie.split("; ").map((pair) => {
      const eq = pair.indexOf("=");
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: "localhost", path: "/" };
    });
    await context.addCookies(cookies);
  }
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
  const n = contexts.length;
  if (options.trace || process.env.MESH_DEBUG) await context.addInitScript(() => ((window as unknown as { __qualmeetDebug: boolean }).__qualmeetDebug = true));
  if (process.env.MESH_DEBUG) {
    page.on("console", (m) => {
      if (m.text().startsWith("[mesh]")) console.log(`${Date.now() % 100000} page${n} ${m.text()}`);
    });
  }
  return page;
}

export async function connectionState(page: Page, state: "Connecting" | "Reconnecting" | "Connected", timeout = STEP_MS): Promise<void> {
  await page.locator("#connection-state", { hasText: new RegExp(`^${state}$`) }).waitFor({ timeout });
}

/** Waits until the pre-join camera preview shows frames (the fake camera can take a while on a busy machine). */
export async function cameraPreviewPlaying(page: Page, timeout = 40_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const v = document.querySelector<HTMLVideoElement>('video[aria-label="Camera preview"]');
      return !!v && v.readyState >= 2 && v.videoWidth > 0;
    },
    undefined,
    { timeout },
  );
}

/** Opens the meeting at low quality (320x240@15) and joins (as a guest when `guestName` is given). */
export async function join(page: Page, webUrl: string, code: string, guestName?: string): Promise<void> {
  await page.goto(`${webUrl}/m/${code}?quality=low`);
  await page.getByLabel("Camera", { exact: true }).waitFor();
  await cameraPreviewPlaying(page);
  if (guestName) await page.getByLabel("Your name").fill(guestName);
  await page.getByRole("button", { name: "Join now" }).click();
  await connectionState(page, "Connected", 40_000);
}

export interface VideoFrames {
  peerId: string;
  source: string;
  frames: number;
  width: number;
}

/** Frames each remote <video> has presented so far. */
export function videoFrames(page: Page): Promise<VideoFrames[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>("video[data-peer-id]:not([data-self])")].map((v) => ({
      peerId: v.dataset.peerId!,
      source: v.dataset.source!,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      width: v.videoWidth,
    })),
  );
}

/** Waits until `count` remote videos all present new frames over `windowMs`. */
export async function expectDecoding(page: Page, count: number, timeout = STEP_MS, windowMs = 1500): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = "";
  for (;;) {
    const before = await videoFrames(page);
    if (before.length === count) {
      await page.waitForTimeout(windowMs);
      const after = await videoFrames(page);
      const ok = after.length === count && after.every((a) => a.frames > (before.find((b) => b.peerId === a.peerId && b.source === a.source)?.frames ?? Infinity));
      if (ok) return;
      last = JSON.stringify({ before, after });
    } else {
      last = `${before.length} videos`;
    }
    if (Date.now() > deadline) throw new Error(`remote videos not decoding: ${last}`);
    await page.waitForTimeout(200);
  }
}

export const topology = (page: Page) => page.evaluate(() => window.__qualmeet!.topology!());

/** Polls `check` until it returns a truthy value. */
export async function poll<T>(what: string, check: () => Promise<T>, timeout = STEP_MS): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Samples every remote tile's presented frames every `everyMs` in the page; returns per tile the longest
 * time (ms) its frame count did not move. Start it, do something, then call the returned `stop`.
 */
export async function sampleStalls(page: Page, everyMs = 100): Promise<{ stop(): Promise<Record<string, number>> }> {
  await page.evaluate((everyMs) => {
    const w = window as unknown as { __stalls?: { timer: number; last: Record<string, { frames: number; at: number }>; worst: Record<string, number> } };
    const state = { timer: 0, last: {} as Record<string, { frames: number; at: number }>, worst: {} as Record<string, number> };
    w.__stalls = state;
    state.timer = window.setInterval(() => {
      const now = performance.now();
      for (const v of document.querySelectorAll<HTMLVideoElement>("video[data-peer-id]:not([data-self])")) {
        const key = `${v.dataset.peerId}:${v.dataset.source}`;
        const frames = v.getVideoPlaybackQuality().totalVideoFrames;
        const prev = state.last[key];
        // a new <video> element (or a new stream in it) restarts its count: that counts as moving
        if (!prev || frames !== prev.frames) state.last[key] = { frames, at: now };
        state.worst[key] = Math.max(state.worst[key] ?? 0, now - state.last[key]!.at);
      }
    }, everyMs);
  }, everyMs);
  return {
    stop: () =>
      page.evaluate(() => {
        const w = window as unknown as { __stalls: { timer: number; worst: Record<string, number> } };
        clearInterval(w.__stalls.timer);
        return w.__stalls.worst;
      }),
  };
}

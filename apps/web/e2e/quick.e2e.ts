/// <reference lib="dom" />
// "Quick 1:1" from the home page and "Listen together" in the room, in real headless Chromium: the host
// creates a 1:1 in one click (a direct P2P call), a guest joins by the link, the host mutes the guest (their
// audio stops), the host shares a WAV this test serves (the guest's browser fetches nothing from it until the
// guest presses "Play shared media"), the host lets everyone control it, and play, pause and seek on either side
// reach the other within a second, positions agreeing within 0.5 s; a late joiner starts where everyone is.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { newUser } from "../../../tests/harness/clients.ts";
import { useMeetingStack } from "./support/stack.ts";

const STEP_MS = 20_000;
const MEDIA_SECONDS = 30;
/** the other page follows a change within this (ms) */
const FOLLOW_MS = 1500;
/** positions agree within this (s) */
const MAX_DRIFT_S = 0.5;
/** how long a dropped socket keeps its participant (ms): short, for the late joiner below */
const GRACE_MS = 1000;

// media must start without a click in the test
const stack = useMeetingStack({ realtimeEnv: { RECONNECT_GRACE_MS: String(GRACE_MS) }, chromiumArgs: ["--autoplay-policy=no-user-gesture-required"] });
let media: Server;
let mediaUrl: string;

/** A mono 8 kHz 8-bit WAV: a quiet 440 Hz tone. */
function toneWav(seconds: number): Buffer {
  const rate = 8000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples);
  wav.write("RIFF", 0, "ascii");
  wav.writeUInt32LE(36 + samples, 4);
  wav.write("WAVE", 8, "ascii");
  wav.write("fmt ", 12, "ascii");
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate, 28); // byte rate
  wav.writeUInt16LE(1, 32); // block align
  wav.writeUInt16LE(8, 34); // bits per sample
  wav.write("data", 36, "ascii");
  wav.writeUInt32LE(samples, 40);
  for (let i = 0; i < samples; i++) wav[44 + i] = 128 + Math.round(20 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return wav;
}

/** Serves the tone at /tone.wav, with byte ranges (what media elements seek with). */
function serveMedia(): Promise<Server> {
  const wav = toneWav(MEDIA_SECONDS);
  const server = createServer((req, res) => {
    if (!req.url?.startsWith("/tone.wav")) {
      res.writeHead(404).end();
      return;
    }
    const headers = { "Content-Type": "audio/wav", "Accept-Ranges": "bytes", "Cache-Control": "no-store" };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
      const start = range[1] ? Number(range[1]) : 0;
      const end = range[2] ? Math.min(Number(range[2]), wav.length - 1) : wav.length - 1;
      if (start >= wav.length || start > end) {
        res.writeHead(416, { "Content-Range": `bytes */${wav.length}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${wav.length}`, "Content-Length": String(end - start + 1) });
      res.end(wav.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { ...headers, "Content-Length": String(wav.length) });
    res.end(wav);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

beforeAll(async () => {
  media = await serveMedia();
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/tone.wav`;
});

afterAll(async () => {
  await new Promise((resolve) => (media ? media.close(resolve) : resolve(undefined)));
});

// ---- helpers ---------------------------------------------------------------------------------------------

interface Tab {
  page: Page;
  /** room.playback calls this page sent */
  playbackSends: () => number;
  /** subscriptions to the room's events from the start of its log */
  logReplays: () => number;
  /** requests this page made to the shared media's server */
  mediaRequests: () => number;
}

async function newTab(cookie?: string): Promise<Tab> {
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 720 } });
  stack.contexts.push(context);
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  if (cookie) {
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const eq = pair.indexOf("=");
        return { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: "localhost", path: "/" };
      }),
    );
  }
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
  let sends = 0;
  let replays = 0;
  let mediaRequests = 0;
  page.on("request", (request) => {
    if (request.url().startsWith(mediaUrl)) mediaRequests++;
  });
  page.on("websocket", (ws) =>
    ws.on("framesent", (frame) => {
      if (typeof frame.payload !== "string") return;
      if (frame.payload.includes('"room.playback"')) sends++;
      if (frame.payload.includes('"room.events"') && frame.payload.includes('"lastEventId":"0-0"')) replays++;
    }),
  );
  return { page, playbackSends: () => sends, logReplays: () => replays, mediaRequests: () => mediaRequests };
}

/** Pre-join -> "Join now" -> the room (its "Listen together" button). */
async function joinRoom(page: Page, guestName?: string): Promise<void> {
  if (guestName) await page.getByLabel("Your name").fill(guestName);
  await page.getByRole("button", { name: "Join now" }).click();
  await page.getByRole("button", { name: "Listen together" }).waitFor();
}

/** Opens the panel (it opens by itself when something is shared or playback needs a click). */
async function openPanel(page: Page) {
  const toggle = page.getByRole("button", { name: "Listen together" });
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  const panel = page.getByRole("region", { name: "Listen together" });
  await panel.waitFor();
  return panel;
}

interface PlayerState {
  at: number;
  time: number;
  paused: boolean;
  readyState: number;
  rate: number;
  /** where the shared timeline says it should be */
  expected: number | null;
}

function playerState(page: Page): Promise<PlayerState | null> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLMediaElement>('[aria-label="Shared media"]');
    const expected = (window as unknown as { __listenTogether?: { expected(): number | null } }).__listenTogether?.expected() ?? null;
    return el ? { at: Date.now(), time: el.currentTime, paused: el.paused, readyState: el.readyState, rate: el.playbackRate, expected } : null;
  });
}

/** |a - b| in media seconds, both taken to the same instant (each sample carries its own clock). */
async function drift(a: Page, b: Page): Promise<number> {
  const [sa, sb] = await Promise.all([playerState(a), playerState(b)]);
  if (!sa || !sb) throw new Error("no player");
  const tb = sb.paused ? sb.time : sb.time - (sb.at - sa.at) / 1000;
  return Math.abs(sa.time - tb);
}

/** What a player is to be in: playing or paused, past its start, done seeking, its position within bounds. */
interface PlayerWanted {
  playing?: boolean;
  started?: boolean;
  settled?: boolean;
  from?: number;
  below?: number;
}

/**
 * Waits (polling every 20 ms) until the page's player is in `state`; returns how long it took. The check is a
 * function, not a string: the page's Content-Security-Policy forbids evaluating strings as script.
 */
async function waitPlayer(page: Page, state: PlayerWanted, timeout = STEP_MS): Promise<number> {
  const start = Date.now();
  await page.waitForFunction(
    (want) => {
      const el = document.querySelector<HTMLMediaElement>('[aria-label="Shared media"]');
      if (!el) return false;
      if (want.playing !== undefined && el.paused === want.playing) return false;
      if (want.started && !(el.currentTime > 0)) return false;
      if (want.settled && el.seeking) return false;
      if (want.from !== undefined && el.currentTime < want.from) return false;
      return want.below === undefined || el.currentTime < want.below;
    },
    state,
    { timeout, polling: 20 },
  );
  return Date.now() - start;
}

const peerIdOf = (page: Page) => page.evaluate(() => window.__qualmeet!.peerId!);

/** Audio packets `page` received from `peerId` over `windowMs`. */
async function audioGain(page: Page, peerId: string, windowMs = 1500): Promise<number> {
  const packets = async () => {
    const stats = (await page.evaluate(() => window.__qualmeet!.stats())) as Record<string, { audio?: { packetsReceived: number } }>;
    return stats[peerId]?.audio?.packetsReceived ?? 0;
  };
  const before = await packets();
  await page.waitForTimeout(windowMs);
  return (await packets()) - before;
}

/** What a person does to the shared player: pause it, play it, or seek to a second (a function, for the page's CSP). */
type PlayerAction = { pause: true } | { play: true } | { seekTo: number };

const act = (page: Page, action: PlayerAction) =>
  page.evaluate((action) => {
    const el = document.querySelector<HTMLMediaElement>('[aria-label="Shared media"]')!;
    if ("pause" in action) el.pause();
    else if ("play" in action) void el.play();
    else el.currentTime = action.seekTo;
  }, action);

// ---- the flow --------------------------------------------------------------------------------------------

describe("Quick 1:1 and Listen together", () => {
  test("one click makes a 1:1, a guest joins by link, and shared media stays in sync both ways", async () => {
    const quinn = await newUser(stack.web.url, "Quinn");
    const host = await newTab(quinn.cookie);
    await host.page.goto(stack.web.url);
    await host.page.getByRole("heading", { name: "Hello, Quinn" }).waitFor();
    if (process.env.QUICK_SCREENSHOTS) await host.page.screenshot({ path: `${process.env.QUICK_SCREENSHOTS}/home.png` });
    await host.page.getByRole("button", { name: "Quick 1:1" }).click();
    await host.page.waitForURL(/\/m\/[a-z0-9]{8}$/);
    const code = new URL(host.page.url()).pathname.split("/").pop()!;
    expect(code).toHaveLength(8);
    // a 1:1: two people at most, titled after the host
    await host.page.getByRole("heading", { name: "Quinn's 1:1" }).waitFor();
    await expect(host.page.getByText("Max participants").locator("xpath=..").textContent()).resolves.toContain("2");
    await joinRoom(host.page);
    await host.page.getByText(code, { exact: true }).waitFor();
    await host.page.getByRole("button", { name: "Copy link" }).waitFor();

    const guest = await newTab();
    await guest.page.goto(`${stack.web.url}/m/${code}`);
    await joinRoom(guest.page, "Gale Guest");
    await guest.page.getByRole("heading", { name: "Quinn's 1:1" }).waitFor();

    // the host mutes the guest: on a direct (P2P) call only the guest's page can stop its audio, and does
    const guestId = await peerIdOf(guest.page);
    expect(await host.page.locator("#media-mode").innerText()).toBe("Direct (P2P)");
    for (let i = 0; (await audioGain(host.page, guestId)) <= 10; i++) if (i > 10) throw new Error("no audio from the guest");
    await host.page.getByRole("button", { name: "Mute Gale Guest" }).click();
    await guest.page.getByRole("alert").filter({ hasText: "The host muted you" }).waitFor();
    await guest.page.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    await expect.poll(() => audioGain(host.page, guestId), { timeout: STEP_MS }).toBeLessThanOrEqual(2);
    // the host's participant list shows the muted microphone (nothing but the room's word says so over P2P)
    const guestRow = host.page.locator(`li[data-peer-id="${guestId}"]`);
    await guestRow.getByRole("img", { name: "Microphone off" }).waitFor();
    expect(await guestRow.getByRole("button", { name: "Mute Gale Guest" }).count()).toBe(0);
    await guest.page.getByRole("button", { name: "Unmute", exact: true }).click();
    await guest.page.getByRole("button", { name: "Mute", exact: true }).waitFor();
    await expect.poll(() => audioGain(host.page, guestId), { timeout: STEP_MS }).toBeGreaterThan(10);
    await guestRow.getByRole("img", { name: "Microphone on" }).waitFor();
    // the guest mutes themselves: the host sees that too
    await guest.page.getByRole("button", { name: "Mute", exact: true }).click();
    await guestRow.getByRole("img", { name: "Microphone off" }).waitFor();
    await guest.page.getByRole("button", { name: "Unmute", exact: true }).click();
    await guestRow.getByRole("img", { name: "Microphone on" }).waitFor();

    const hostPanel = await openPanel(host.page);
    const guestPanel = await openPanel(guest.page);

    // a bad link is refused inside the panel
    await hostPanel.getByLabel("Media link").fill("not a link");
    await hostPanel.getByRole("button", { name: "Share" }).click();
    await hostPanel.getByRole("alert").getByText("Enter a valid http(s) link").waitFor();

    // only the host shares here
    await guestPanel.getByText("Only the host shares media here").waitFor();
    expect(await guestPanel.getByLabel("Media link").count()).toBe(0);

    // share: the host plays at once; the guest's browser fetches nothing until the guest presses play, then
    // plays within a second, in step
    await hostPanel.getByLabel("Media link").fill(mediaUrl);
    await hostPanel.getByRole("button", { name: "Share" }).click();
    await waitPlayer(host.page, { playing: true, started: true }, 5000);
    const play = guestPanel.getByRole("button", { name: "Play shared media" });
    await play.waitFor();
    expect(await guest.page.locator('[aria-label="Shared media"]').count()).toBe(0);
    expect(guest.mediaRequests()).toBe(0);
    const pressed = Date.now();
    await play.click();
    await waitPlayer(guest.page, { playing: true, started: true });
    const guestStartMs = Date.now() - pressed;
    expect(guest.mediaRequests()).toBeGreaterThan(0);
    await expect(hostPanel.getByRole("alert").count()).resolves.toBe(0);
    await expect(guestPanel.getByRole("button", { name: "Click to start playback" }).count()).resolves.toBe(0);
    const drifts: number[] = [];
    for (let i = 0; i < 4; i++) {
      await host.page.waitForTimeout(500);
      drifts.push(await drift(host.page, guest.page));
      if (process.env.LT_DEBUG) console.log(JSON.stringify(await Promise.all([playerState(host.page), playerState(guest.page)])));
    }

    if (process.env.QUICK_SCREENSHOTS) {
      await host.page.screenshot({ path: `${process.env.QUICK_SCREENSHOTS}/listen-together-host.png` });
      await guest.page.screenshot({ path: `${process.env.QUICK_SCREENSHOTS}/listen-together-guest.png` });
    }

    // the host lets everyone control it; then a pause on the guest's side pauses the host too, at the same place
    await hostPanel.getByLabel("Let everyone share and control").check();
    await guestPanel.getByLabel("Media link").waitFor();
    const paused = Date.now();
    await act(guest.page, { pause: true });
    await waitPlayer(host.page, { playing: false }, FOLLOW_MS * 2);
    const pauseFollowMs = Date.now() - paused;
    await host.page.waitForTimeout(300);
    const pauseDrift = await drift(host.page, guest.page);

    // play again on the host's side, then seek to 20 s there: the guest follows
    const resumed = Date.now();
    await act(host.page, { play: true });
    await waitPlayer(guest.page, { playing: true }, FOLLOW_MS * 2);
    const playFollowMs = Date.now() - resumed;
    const seeked = Date.now();
    await act(host.page, { seekTo: 20 });
    await waitPlayer(guest.page, { settled: true, from: 19.5, below: 22 }, FOLLOW_MS * 2);
    const seekFollowMs = Date.now() - seeked;
    await host.page.waitForTimeout(500);
    const seekDrift = await drift(host.page, guest.page);
    const after = await playerState(guest.page);

    const report = {
      guestStartMs,
      drifts: drifts.map((d) => +d.toFixed(3)),
      pauseFollowMs,
      pauseDrift: +pauseDrift.toFixed(3),
      playFollowMs,
      seekFollowMs,
      seekDrift: +seekDrift.toFixed(3),
      guestAfterSeek: after,
    };
    console.log(`[listen together] ${JSON.stringify(report)}`);

    expect(guestStartMs).toBeLessThan(FOLLOW_MS);
    for (const d of drifts) expect(d).toBeLessThan(MAX_DRIFT_S);
    expect(pauseFollowMs).toBeLessThan(FOLLOW_MS);
    expect(pauseDrift).toBeLessThan(MAX_DRIFT_S);
    expect(playFollowMs).toBeLessThan(FOLLOW_MS);
    expect(seekFollowMs).toBeLessThan(FOLLOW_MS);
    expect(seekDrift).toBeLessThan(MAX_DRIFT_S);
    expect(after!.time).toBeGreaterThan(19.5);
    expect(after!.paused).toBe(false);

    // A late joiner (the guest again, after a reload) whose browser blocks playback until a click: pressing
    // "Play shared media" is that click; the player comes up where everyone is and plays in step.
    await guest.page.context().addInitScript(() => {
      let inClick = false;
      document.addEventListener("click", () => ((inClick = true), setTimeout(() => (inClick = false))), true);
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
        return inClick ? play.call(this) : Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
      };
    });
    // (leaving first: a dropped socket holds its place for the grace window, and a 1:1 has one place left)
    await guest.page.goto("about:blank");
    const requestsBeforeRejoin = guest.mediaRequests();
    // the place is free once the room has let the guest go: gone from the host's list
    await guestRow.waitFor({ state: "detached", timeout: GRACE_MS + STEP_MS });
    await guest.page.goto(`${stack.web.url}/m/${code}`);
    await joinRoom(guest.page);
    // the panel opens by itself to offer "Play shared media"; nothing is fetched before the press
    const rejoinedPanel = guest.page.getByRole("region", { name: "Listen together" });
    await rejoinedPanel.getByRole("button", { name: "Play shared media" }).waitFor();
    expect(guest.mediaRequests()).toBe(requestsBeforeRejoin);
    await rejoinedPanel.getByRole("button", { name: "Play shared media" }).click();
    // it starts from the join's state (not a replay of the room's log): its timeline is where the host is
    const joinedAt = await waitPlayer(guest.page, {});
    const [h, g] = await Promise.all([playerState(host.page), playerState(guest.page)]);
    const timelineDrift = Math.abs(g!.expected! - (h!.time + (g!.at - h!.at) / 1000));
    console.log(`[listen together] late joiner's timeline ${joinedAt} ms after the room showed: ${JSON.stringify({ host: h, guest: g, timelineDrift })}`);
    expect(timelineDrift).toBeLessThan(MAX_DRIFT_S);
    expect(guest.logReplays()).toBe(0);
    // the press was the click the browser wanted: it plays at once, with no second click
    const lateFollowMs = await waitPlayer(guest.page, { playing: true, settled: true }, FOLLOW_MS * 2);
    await guest.page.waitForTimeout(1000);
    const lateDrift = await drift(host.page, guest.page);
    console.log(`[listen together] late joiner: ${JSON.stringify({ lateFollowMs, lateDrift: +lateDrift.toFixed(3) })}`);
    expect(lateDrift).toBeLessThan(MAX_DRIFT_S);
    await expect(rejoinedPanel.getByRole("button", { name: "Click to start playback" }).count()).resolves.toBe(0);

    // no echo: exactly one room.playback per action (share, pause, play, seek), none from applying them
    await host.page.waitForTimeout(1000);
    expect({ host: host.playbackSends(), guest: guest.playbackSends() }).toEqual({ host: 3, guest: 1 });
  });
});

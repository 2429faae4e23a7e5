/// <reference lib="dom" />
// The meeting room in real headless Chromium (fake camera and microphone) through the realtime server and
// mediasoup: three people see and hear each other, mute, share a screen, chat, leave; the host's powers; a
// full meeting; and media coming back without a reload after the mediasoup worker is killed.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { newUser, realtimeClient, signIn, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { STEP_MS, cameraPreviewPlaying, connectionState, newPage as openPage, poll } from "./support/meetingPages.ts";
import { healthDetails } from "../../../tests/harness/servers.ts";
import { useMeetingStack } from "./support/stack.ts";

const SHOTS = process.env.MEETING_SCREENSHOTS ?? path.join(os.tmpdir(), "qualmeet-meeting-shots");

const stack = useMeetingStack();
let sockets: RealtimeConnection[] = [];

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

afterEach(async () => {
  await Promise.allSettled(sockets.map((s) => s.close()));
  sockets = [];
});

// ---- helpers ---------------------------------------------------------------------------------------------

// window.__qualmeet (the page's test/debug hooks) is declared in ./support/meetingPages.ts

interface Person {
  name: string;
  page: Page;
}

/** A signed-in (or anonymous) page whose engine traces first packets and frames, for the timings printed here. */
const newPage = (cookie?: string): Promise<Page> => openPage(stack.browser, stack.contexts, cookie, { trace: true });

async function registeredPerson(name: string): Promise<{ cookie: string; id: string; name: string }> {
  const user = await newUser(stack.web.url, name);
  return { cookie: user.cookie, id: user.id, name };
}

const meetingUrl = (code: string, quality: "low" | "standard" = "low") => `${stack.web.url}/m/${code}?quality=${quality}`;

/** Opens the meeting and joins (as a guest when `guestName` is given); resolves once the room shows "Connected". */
async function join(page: Page, code: string, guestName?: string, quality: "low" | "standard" = "low"): Promise<void> {
  await page.goto(meetingUrl(code, quality));
  // pre-join: device selects and a live preview
  await page.getByLabel("Camera", { exact: true }).waitFor();
  await page.getByLabel("Microphone", { exact: true }).waitFor();
  await cameraPreviewPlaying(page, STEP_MS);
  if (guestName) await page.getByLabel("Your name").fill(guestName);
  await page.getByRole("button", { name: "Join now" }).click();
  await connectionState(page, "Connected");
}

const remoteVideos = (page: Page, source?: "camera" | "screen") => page.locator(`video[data-peer-id]:not([data-self])${source ? `[data-source="${source}"]` : ""}`);

interface VideoFrames {
  peerId: string;
  source: string;
  frames: number;
  width: number;
}

/** Frames each remote <video> has presented so far. */
function videoFrames(page: Page, source?: "camera" | "screen"): Promise<VideoFrames[]> {
  return page.evaluate((source) => {
    const sel = `video[data-peer-id]:not([data-self])${source ? `[data-source="${source}"]` : ""}`;
    return [...document.querySelectorAll<HTMLVideoElement>(sel)].map((v) => ({
      peerId: v.dataset.peerId!,
      source: v.dataset.source!,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      width: v.videoWidth,
    }));
  }, source);
}

/** Waits until `count` remote videos (of `source`) all present new frames over `windowMs`; returns the gains. */
async function expectDecoding(page: Page, count: number, options: { source?: "camera" | "screen"; windowMs?: number; timeout?: number } = {}): Promise<Record<string, number>> {
  const deadline = Date.now() + (options.timeout ?? STEP_MS);
  const windowMs = options.windowMs ?? 2000;
  let last = "";
  for (;;) {
    const before = await videoFrames(page, options.source);
    if (before.length === count) {
      await page.waitForTimeout(windowMs);
      const after = await videoFrames(page, options.source);
      const gains: Record<string, number> = {};
      for (const a of after) {
        const b = before.find((x) => x.peerId === a.peerId && x.source === a.source);
        if (b) gains[`${a.peerId}:${a.source}`] = a.frames - b.frames;
      }
      const values = Object.values(gains);
      if (values.length === count && values.every((g) => g > 0)) return gains;
      last = JSON.stringify({ before, after });
    } else {
      last = `${before.length} videos`;
    }
    if (Date.now() > deadline) throw new Error(`remote videos not decoding: ${last}`);
    await page.waitForTimeout(200);
  }
}

type PeerStats = Record<
  string,
  { camera?: { framesDecoded: number; frameWidth: number; paused: boolean }; screen?: { framesDecoded: number }; audio?: { packetsReceived: number } }
>;

function mediaStats(page: Page): Promise<PeerStats> {
  return page.evaluate(() => window.__qualmeet!.stats() as Promise<PeerStats>);
}

const peerIdOf = (page: Page) => page.evaluate(() => window.__qualmeet!.peerId!);

/** Audio packets received from `peerId` over `windowMs`. */
async function audioGain(page: Page, peerId: string, windowMs = 1500): Promise<number> {
  const before = (await mediaStats(page))[peerId]?.audio?.packetsReceived ?? 0;
  await page.waitForTimeout(windowMs);
  const after = (await mediaStats(page))[peerId]?.audio?.packetsReceived ?? 0;
  return after - before;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function createMeeting(hostCookie: string, maxParticipants: number): Promise<string> {
  const meeting = await webClient(stack.web.url, hostCookie).meeting.create.mutate({ title: "Team sync", maxParticipants, p2pMaxParticipants: 0 });
  return meeting.code;
}

// ---- tests -----------------------------------------------------------------------------------------------

describe("the meeting room", () => {
  test("three people see and hear each other; mute, host mute, chat, screen share, full meeting, leave", { timeout: 240_000 }, async () => {
    const hostUser = await registeredPerson("Hana Host");
    const ann = await registeredPerson("Ann Attendee");
    const code = await createMeeting(hostUser.cookie, 3);

    const host: Person = { name: hostUser.name, page: await newPage(hostUser.cookie) };
    const second: Person = { name: ann.name, page: await newPage(ann.cookie) };
    const guest: Person = { name: `Gus ${randomUUID().slice(0, 4)}`, page: await newPage() };
    const everyone = [host, second, guest];

    // the host sends 640x480 (two simulcast layers); the others 320x240 (one layer) to spare CPU
    await join(host.page, code, undefined, "standard");
    await expect(host.page.getByRole("heading", { name: "Participants" }).isVisible()).resolves.toBe(true);
    await join(second.page, code);
    // the last one measures the time from "Join now" to both remote videos presenting frames
    await guest.page.goto(meetingUrl(code));
    await guest.page.getByLabel("Your name").fill(guest.name);
    await guest.page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('video[aria-label="Camera preview"]')?.videoWidth ?? 0) > 0);
    await shot(guest.page, "pre-join-guest");
    const clickedAt = Date.now();
    await guest.page.getByRole("button", { name: "Join now" }).click();
    await guest.page.waitForFunction(
      () => {
        const vids = [...document.querySelectorAll<HTMLVideoElement>('video[data-peer-id]:not([data-self])[data-source="camera"]')];
        return vids.length === 2 && vids.every((v) => v.getVideoPlaybackQuality().totalVideoFrames > 0);
      },
      undefined,
      { timeout: STEP_MS, polling: 50 },
    );
    const firstFrameMs = Date.now() - clickedAt;
    await connectionState(guest.page, "Connected");

    {
      const log = await guest.page.evaluate(() => (window.__qualmeet as unknown as { engine: { recoveryLog: Array<{ step: string; at: number }> } }).engine.recoveryLog);
      console.log(`[meeting] guest join: ${log.map((e) => `${e.step} +${e.at - clickedAt}`).join(", ")}`);
    }
    const peerIds = Object.fromEntries(await Promise.all(everyone.map(async (p) => [p.name, await peerIdOf(p.page)] as const)));

    // every page: two remote cameras decoding, audio from both others
    const decoding: Record<string, Record<string, number>> = {};
    for (const p of everyone) {
      decoding[p.name] = await expectDecoding(p.page, 2, { source: "camera" });
      for (const other of everyone) {
        if (other === p) continue;
        expect(await p.page.locator(`audio[data-peer-id="${peerIds[other.name]}"]`).count()).toBe(1);
      }
      const stats = await mediaStats(p.page);
      for (const other of everyone) {
        if (other === p) continue;
        expect(stats[peerIds[other.name]!]?.audio?.packetsReceived ?? 0, `${p.name} hears ${other.name}`).toBeGreaterThan(0);
        expect(stats[peerIds[other.name]!]?.camera?.framesDecoded ?? 0, `${p.name} sees ${other.name}`).toBeGreaterThan(0);
      }
      // names on the tiles and in the participant list
      const list = p.page.getByRole("list", { name: "People in the meeting" });
      for (const other of everyone) await list.getByText(other.name, { exact: false }).first().waitFor();
      await expect(p.page.getByLabel(other(everyone, p).name, { exact: true }).count()).resolves.toBeGreaterThan(0);
    }
    const statsAtStart = await mediaStats(host.page);
    console.log(
      `[meeting] time to first remote frames (2 videos) after Join now: ${firstFrameMs} ms; frames presented in 2 s per page:`,
      JSON.stringify(decoding),
      "host's inbound:",
      JSON.stringify(statsAtStart),
      "host's outbound:",
      JSON.stringify(await host.page.evaluate(() => window.__qualmeet!.localStats())),
    );
    await shot(host.page, "room-3-people");

    // simulcast: the layer the guest receives from the host follows the size of the host's tile
    const hostCamAtGuest = async () => (await mediaStats(guest.page))[peerIds[host.name]!]?.camera;
    await poll("the full layer for a large tile", async () => (await hostCamAtGuest())?.frameWidth === 640);
    const switchedAt = Date.now();
    await guest.page.setViewportSize({ width: 660, height: 420 });
    await poll("the low layer for a small tile", async () => (await hostCamAtGuest())?.frameWidth === 320);
    const downMs = Date.now() - switchedAt;
    await shot(guest.page, "room-small-window");
    await guest.page.setViewportSize({ width: 1280, height: 720 });
    const upAt = Date.now();
    await poll("the full layer again", async () => (await hostCamAtGuest())?.frameWidth === 640);
    console.log(`[meeting] simulcast: small tile -> 320x240 within ${downMs} ms, large tile -> 640x480 within ${Date.now() - upAt} ms`, JSON.stringify(await hostCamAtGuest()));

    // the guest hears the host; the host mutes: packets from the host stop
    expect(await audioGain(guest.page, peerIds[host.name]!)).toBeGreaterThan(10);
    await host.page.getByRole("button", { name: "Mute", exact: true }).click();
    await host.page.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    await expect.poll(() => audioGain(guest.page, peerIds[host.name]!), { timeout: STEP_MS }).toBeLessThanOrEqual(2);
    // and the others see it in the participant list
    await guest.page.locator(`li[data-peer-id="${peerIds[host.name]}"]`).getByRole("img", { name: "Microphone off" }).waitFor();
    await host.page.getByRole("button", { name: "Unmute", exact: true }).click();
    await host.page.getByRole("button", { name: "Mute", exact: true }).waitFor();
    await expect.poll(() => audioGain(guest.page, peerIds[host.name]!), { timeout: STEP_MS }).toBeGreaterThan(10);

    // the host mutes the guest
    await host.page.getByRole("button", { name: `Mute ${guest.name}` }).click();
    await guest.page.getByRole("alert").filter({ hasText: "The host muted you" }).waitFor();
    await guest.page.getByRole("button", { name: "Unmute", exact: true }).waitFor();
    await expect.poll(() => audioGain(second.page, peerIds[guest.name]!), { timeout: STEP_MS }).toBeLessThanOrEqual(2);
    await guest.page.getByRole("button", { name: "Unmute", exact: true }).click();
    await guest.page.getByRole("button", { name: "Mute", exact: true }).waitFor();

    // chat
    await second.page.getByRole("textbox", { name: "Message" }).fill("Hello from Ann");
    await second.page.getByRole("button", { name: "Send" }).click();
    for (const p of everyone) await p.page.getByRole("log", { name: "Chat messages" }).getByText("Hello from Ann").waitFor();

    // network quality from the consumer scores
    await host.page
      .locator(`li[data-peer-id="${peerIds[second.name]}"]`)
      .getByRole("img", { name: /^Network quality: (good|fair|poor)$/ })
      .waitFor();

    // a fourth person: the meeting holds 3
    const late = await newPage();
    await late.goto(meetingUrl(code));
    await late.getByLabel("Your name").fill("Late Larry");
    await late.getByRole("button", { name: "Join now" }).click();
    await late.getByRole("alert").filter({ hasText: "This meeting is full." }).waitFor();
    await late.context().close();

    // screen share: a second tile for the others
    await second.page.getByRole("button", { name: "Share screen" }).click();
    await second.page.getByRole("button", { name: "Stop sharing" }).waitFor();
    for (const p of [host, guest]) {
      await remoteVideos(p.page, "screen").waitFor();
      await expect(remoteVideos(p.page, "screen").getAttribute("data-peer-id")).resolves.toBe(peerIds[second.name]);
      await expectDecoding(p.page, 1, { source: "screen" });
    }
    await shot(host.page, "room-screen-share");
    await second.page.getByRole("button", { name: "Stop sharing" }).click();
    await remoteVideos(host.page, "screen").waitFor({ state: "detached" });

    // camera off and on again
    await guest.page.getByRole("button", { name: "Stop camera" }).click();
    await host.page.locator(`video[data-peer-id="${peerIds[guest.name]}"]`).waitFor({ state: "detached" });
    await guest.page.getByRole("button", { name: "Start camera" }).click();
    await host.page.locator(`video[data-peer-id="${peerIds[guest.name]}"]`).waitFor();
    await expectDecoding(host.page, 2, { source: "camera" });

    // the guest leaves: the tile goes away for the others
    await guest.page.getByRole("button", { name: "Leave" }).click();
    await guest.page.getByRole("heading", { name: "You left the meeting" }).waitFor();
    for (const p of [host, second]) {
      await p.page.locator(`video[data-peer-id="${peerIds[guest.name]}"]`).waitFor({ state: "detached" });
      await p.page.locator(`li[data-peer-id="${peerIds[guest.name]}"]`).waitFor({ state: "detached" });
      await expect(remoteVideos(p.page).count()).resolves.toBe(1);
    }
    await shot(host.page, "room-2-people");
  });

  test("the grid pages 9 tiles at a time; videos off the page are paused at the SFU and resume when shown", { timeout: 120_000 }, async () => {
    const hostUser = await registeredPerson("Pam Pager");
    const code = await createMeeting(hostUser.cookie, 20);
    // eight people without cameras fill the first page
    for (let i = 1; i <= 8; i++) await socketPeer(code, `Listener ${i}`);
    const host = await newPage(hostUser.cookie);
    await join(host, code);
    const viewer = await newPage();
    await join(viewer, code, "Val Viewer");
    const hostPeer = await peerIdOf(host);

    // page 1: the self view and the eight listeners; the host's camera is on page 2, so not received
    await viewer.getByText("Page 1 of 2").waitFor();
    await expect(viewer.locator('[role="img"][aria-label$="camera off"]').count()).resolves.toBe(8);
    await expect(remoteVideos(viewer).count()).resolves.toBe(0);
    const hostCam = async () => (await mediaStats(viewer))[hostPeer]?.camera;
    await poll("the host's camera consumer", async () => (await hostCam()) !== undefined);
    const offPage1 = (await hostCam())!;
    await viewer.waitForTimeout(1500);
    const offPage2 = (await hostCam())!;
    expect(offPage2.framesDecoded - offPage1.framesDecoded).toBe(0);
    // the host's audio plays whatever the page
    expect(await audioGain(viewer, hostPeer)).toBeGreaterThan(10);
    await shot(viewer, "paging-page-1");

    await viewer.getByRole("button", { name: "Next page" }).click();
    await viewer.getByText("Page 2 of 2").waitFor();
    const shownAt = Date.now();
    await expectDecoding(viewer, 1, { source: "camera" });
    console.log(`[meeting] paging: host's video decoding ${Date.now() - shownAt} ms after "Next page" (incl. a 2 s sample)`);
    await shot(viewer, "paging-page-2");

    await viewer.getByRole("button", { name: "Previous page" }).click();
    await viewer.getByText("Page 1 of 2").waitFor();
    await poll("the host's camera paused again", async () => (await hostCam())?.paused);
    const back1 = (await hostCam())!;
    await viewer.waitForTimeout(1500);
    const back2 = (await hostCam())!;
    expect(back2.framesDecoded - back1.framesDecoded).toBe(0);
    expect(back2.paused).toBe(true);
  });

  test("media comes back without a reload after the mediasoup worker dies; the host ends the meeting", { timeout: 180_000 }, async () => {
    const hostUser = await registeredPerson("Hal Host");
    const bea = await registeredPerson("Bea Booth");
    const code = await createMeeting(hostUser.cookie, 10);
    const people: Person[] = [
      { name: hostUser.name, page: await newPage(hostUser.cookie) },
      { name: bea.name, page: await newPage(bea.cookie) },
      { name: "Cy Guest", page: await newPage() },
    ];
    await join(people[0]!.page, code);
    await join(people[1]!.page, code);
    await join(people[2]!.page, code, "Cy Guest");
    for (const p of people) {
      await expectDecoding(p.page, 2, { source: "camera" });
      await p.page.evaluate(() => ((window as unknown as { __marker: string }).__marker = "still here"));
    }
    const loadedAt = await Promise.all(people.map((p) => p.page.evaluate(() => window.__qualmeet!.loadedAt)));

    const health = await healthDetails(stack.realtime);
    const victims = (health.media.workers ?? []).filter((w) => w.routers > 0).map((w) => w.pid);
    expect(victims.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    for (const pid of victims) process.kill(pid, "SIGKILL");
    // the rebuild takes about a second: the pages say so meanwhile
    const sawReconnecting = connectionState(people[0]!.page, "Reconnecting", 3000).then(
      () => true,
      () => false,
    );

    // every page: frames decoding again from both others within 5 s, on the same document
    const recovery = await Promise.all(
      people.map(async (p) => {
        await p.page.waitForFunction(
          (killedAt) => {
            const w = window as unknown as { __recoveryBase?: Map<string, number>; __firstFrame?: Record<string, number> };
            w.__firstFrame ??= {};
            for (const v of document.querySelectorAll<HTMLVideoElement>("video[data-peer-id]:not([data-self])")) {
              const k = `${v.dataset.peerId!.slice(0, 8)}:${(v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id.slice(0, 6)}`;
              if (v.getVideoPlaybackQuality().totalVideoFrames > 0 && !(k in w.__firstFrame)) w.__firstFrame[k] = Date.now() - killedAt;
            }
            const vids = [...document.querySelectorAll<HTMLVideoElement>('video[data-peer-id]:not([data-self])[data-source="camera"]')];
            // new consumers (the old tracks ended): their frames must be moving
            w.__recoveryBase ??= new Map();
            if (vids.length !== 2) return false;
            let ok = true;
            for (const v of vids) {
              const key = `${v.dataset.peerId}:${(v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id}`;
              const frames = v.getVideoPlaybackQuality().totalVideoFrames;
              const base = w.__recoveryBase.get(key);
              if (base === undefined) w.__recoveryBase.set(key, frames);
              const track = (v.srcObject as MediaStream | null)?.getVideoTracks()[0];
              if (!track || track.readyState !== "live" || base === undefined || frames <= base) ok = false;
            }
            return ok && Date.now() > killedAt;
          },
          killedAt,
          { timeout: 15_000, polling: 50 },
        );
        const ms = Date.now() - killedAt;
        await connectionState(p.page, "Connected");
        return ms;
      }),
    );
    console.log(`[meeting] media back after killing worker(s) ${victims.join(",")}: ${recovery.map((ms, i) => `${people[i]!.name} ${ms} ms`).join(", ")}`);
    for (const p of people) {
      const log = await p.page.evaluate(() => (window.__qualmeet as unknown as { engine: { recoveryLog: Array<{ step: string; at: number }> } }).engine.recoveryLog);
      const firstFrames = await p.page.evaluate(() => (window as unknown as { __firstFrame?: Record<string, number> }).__firstFrame);
      console.log(
        `[meeting] ${p.name} (${(await peerIdOf(p.page)).slice(0, 8)}): ${log.map((e) => `${e.step} +${e.at - killedAt}`).join(", ")}; first frames ${JSON.stringify(firstFrames)}`,
      );
    }
    for (const p of people) {
      await expectDecoding(p.page, 2, { source: "camera", windowMs: 1000 });
      await expect(p.page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).resolves.toBe("still here");
    }
    await expect(Promise.all(people.map((p) => p.page.evaluate(() => window.__qualmeet!.loadedAt)))).resolves.toEqual(loadedAt);
    // audio too
    const hostPeer = await peerIdOf(people[0]!.page);
    expect(await audioGain(people[1]!.page, hostPeer)).toBeGreaterThan(10);
    for (const ms of recovery) expect(ms).toBeLessThan(5000);
    expect(await sawReconnecting).toBe(true);
    await shot(people[1]!.page, "room-after-worker-kill");

    // the host removes the guest
    const cyPeer = await peerIdOf(people[2]!.page);
    people[0]!.page.once("dialog", (dialog) => void dialog.accept());
    await people[0]!.page.getByRole("button", { name: "Remove Cy Guest" }).click();
    await people[2]!.page.getByRole("heading", { name: "You were removed from this meeting" }).waitFor();
    await people[1]!.page.locator(`video[data-peer-id="${cyPeer}"]`).waitFor({ state: "detached" });
    await shot(people[2]!.page, "removed");

    // the host ends the meeting for everyone
    people[0]!.page.once("dialog", (dialog) => void dialog.accept());
    await people[0]!.page.getByRole("button", { name: "End meeting" }).click();
    await people[1]!.page.getByRole("heading", { name: "The host ended the meeting" }).waitFor();

    // someone opening the link afterwards is told
    const late = await newPage();
    await late.goto(meetingUrl(code));
    await late.getByLabel("Your name").fill("Late Lou");
    await late.getByRole("button", { name: "Join now" }).click();
    await late.getByText("This meeting has ended").first().waitFor();
  });

  test("a restarted realtime server: the pages rejoin by themselves and media flows again", { timeout: 120_000 }, async () => {
    const hostUser = await registeredPerson("Rita Restart");
    const code = await createMeeting(hostUser.cookie, 10);
    const host = await newPage(hostUser.cookie);
    await join(host, code);
    const guest = await newPage();
    await join(guest, code, "Sam Socket");
    await expectDecoding(guest, 1, { source: "camera" });
    await expectDecoding(host, 1, { source: "camera" });
    await guest.evaluate(() => ((window as unknown as { __marker: string }).__marker = "same document"));

    const stoppedAt = Date.now();
    await stack.restartRealtime(() => connectionState(guest, "Reconnecting"));
    const restartedAt = Date.now();
    await Promise.all([host, guest].map((p) => connectionState(p, "Connected", 45_000)));
    await Promise.all([host, guest].map((p) => expectDecoding(p, 1, { source: "camera", timeout: 30_000 })));
    console.log(
      `[meeting] realtime restart: server down for ${restartedAt - stoppedAt} ms; media flowing again ${Date.now() - restartedAt} ms after it was back (incl. a 2 s sample)`,
    );
    await expect(guest.evaluate(() => (window as unknown as { __marker?: string }).__marker)).resolves.toBe("same document");
    // one participant each, not ghosts of the old session
    await expect(guest.getByRole("list", { name: "People in the meeting" }).getByRole("listitem").count()).resolves.toBe(2);
  });
});

/** A participant without a browser: a realtime socket that joins the meeting and publishes nothing. */
async function socketPeer(code: string, name: string): Promise<string> {
  const session = await signIn(stack.web.url, { name }, "guest");
  if (!session.ok) throw new Error(`guest sign-in failed: ${session.error}`);
  const connection = realtimeClient(stack.realtime.wsUrl, { cookie: session.cookie, origin: stack.web.url });
  sockets.push(connection);
  const joined = await connection.client.room.join.mutate({ code });
  return joined.self.peerId;
}

function other(everyone: Person[], me: Person): Person {
  return everyone.find((p) => p !== me)!;
}

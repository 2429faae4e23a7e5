/// <reference lib="dom" />
// People who click "Join now" the moment the page shows it, before their camera has started (real webcams take
// 1-3 s; the fake one starts at once, so every page here delays getUserMedia by 1.5-3 s). Everyone must still be
// seen and heard: 3 people (a P2P mesh), then 4 (past the P2P limit of 3: the SFU). Pages at 320x240@15.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { connectionState, expectDecoding, newPage, poll } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();

/**
 * A page whose camera and microphone take `delayMs` to start, like a real webcam; counts the starts. With
 * `cameraBusy` the camera fails as one held by another program does.
 */
async function slowCameraPage(cookie: string | undefined, delayMs: number, cameraBusy = false): Promise<Page> {
  const page = await newPage(stack.browser, stack.contexts, cookie);
  await page.addInitScript(
    ({ delayMs, cameraBusy }) => {
      const media = navigator.mediaDevices;
      const original = media.getUserMedia.bind(media);
      const w = window as unknown as { __gumCalls: number };
      w.__gumCalls = 0;
      media.getUserMedia = async (constraints) => {
        w.__gumCalls++;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (cameraBusy && constraints?.video) throw new DOMException("Could not start video source", "NotReadableError");
        return original(constraints);
      };
    },
    { delayMs, cameraBusy },
  );
  return page;
}

/** Opens the meeting and clicks "Join now" as soon as it can be clicked (a guest types a name first). */
async function hurriedJoin(page: Page, url: string, guestName?: string): Promise<void> {
  await page.goto(url);
  if (guestName) await page.getByLabel("Your name").fill(guestName);
  await page.getByRole("button", { name: "Join now" }).click();
}

type Stats = Record<string, { camera?: { framesDecoded: number }; audio?: { packetsReceived: number } }>;
const stats = (page: Page) => page.evaluate(() => window.__qualmeet!.stats() as Promise<Stats>);
const peerIdOf = (page: Page) => page.evaluate(() => window.__qualmeet!.peerId!);

/** Every page hears every other one: audio packets from each other peer keep arriving. */
async function expectHearing(pages: Page[]): Promise<void> {
  const ids = await Promise.all(pages.map(peerIdOf));
  for (const [i, page] of pages.entries()) {
    const others = ids.filter((_, j) => j !== i);
    const before = await stats(page);
    await poll(
      `page ${i + 1} receiving audio from ${others.length} others`,
      async () => {
        const now = await stats(page);
        return others.every((id) => (now[id]?.audio?.packetsReceived ?? 0) > (before[id]?.audio?.packetsReceived ?? 0));
      },
      30_000,
    );
  }
}

async function meetingWithHurriedPeople(count: number): Promise<{ pages: Page[]; mode: string }> {
  const host = await newUser(stack.web.url, "Hana Host");
  const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "First meeting", maxParticipants: 10 });
  const url = `${stack.web.url}/m/${meeting.code}?quality=low`;
  // cameras that take between 1.5 and 3 s to start
  const pages = await Promise.all(Array.from({ length: count }, (_, i) => slowCameraPage(i === 0 ? host.cookie : undefined, 1500 + (1500 * i) / Math.max(1, count - 1))));
  // the host first (the meeting goes live), then every guest at once; an empty meeting starts direct (P2P)
  await pages[0]!.goto(url);
  expect(await pages[0]!.locator("#prejoin-mode").innerText()).toBe("Direct (P2P)");
  await hurriedJoin(pages[0]!, url);
  await Promise.all(pages.slice(1).map((page, i) => hurriedJoin(page, url, `Guest ${i + 1}`)));
  await Promise.all(pages.map((page) => connectionState(page, "Connected", 60_000)));
  await Promise.all(pages.map((page) => expectDecoding(page, count - 1, 60_000)));
  await expectHearing(pages);
  // nobody joined muted or without a camera
  for (const page of pages) {
    await expect(page.getByRole("button", { name: "Mute", exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Stop camera", exact: true }).isVisible()).resolves.toBe(true);
  }
  // the guest sign-in and page refresh did not start the camera a second time
  for (const page of pages) expect(await page.evaluate(() => (window as unknown as { __gumCalls: number }).__gumCalls)).toBe(1);
  return { pages, mode: await pages[0]!.locator("#media-mode").innerText() };
}

describe("hurried joiners (Join now before the camera has started)", () => {
  test("3 people: everyone sees and hears everyone (P2P)", { timeout: 240_000 }, async () => {
    const { mode } = await meetingWithHurriedPeople(3);
    expect(mode).toBe("Direct (P2P)");
  });

  test("a camera held by another program: the guest joins with the microphone and is told what to do", { timeout: 180_000 }, async () => {
    const host = await newUser(stack.web.url, "Hana Host");
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Busy camera", maxParticipants: 10 });
    const url = `${stack.web.url}/m/${meeting.code}?quality=low`;
    const [hostPage, guestPage] = await Promise.all([slowCameraPage(host.cookie, 1500), slowCameraPage(undefined, 2000, true)]);
    await hurriedJoin(hostPage, url);
    await hurriedJoin(guestPage, url, "Gina Guest");
    await Promise.all([hostPage, guestPage].map((page) => connectionState(page, "Connected", 60_000)));
    // the room names the camera and what to do; the microphone is on, the camera can be started again
    await guestPage.getByRole("alert").filter({ hasText: "The camera is in use by another program. Close that program" }).waitFor({ timeout: 20_000 });
    await expect(guestPage.getByRole("button", { name: "Mute", exact: true }).isVisible()).resolves.toBe(true);
    await expect(guestPage.getByRole("button", { name: "Start camera", exact: true }).isVisible()).resolves.toBe(true);
    // the host hears the guest, the guest sees and hears the host
    await expectDecoding(guestPage, 1, 60_000);
    await expectHearing([hostPage, guestPage]);
  });

  test("pre-join toggles: join muted and without camera; the microphone level moves", { timeout: 180_000 }, async () => {
    const host = await newUser(stack.web.url, "Hana Host");
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Quiet guest", maxParticipants: 10 });
    const url = `${stack.web.url}/m/${meeting.code}?quality=low`;
    const [hostPage, guestPage] = await Promise.all([slowCameraPage(host.cookie, 1500), slowCameraPage(undefined, 1500)]);
    await hurriedJoin(hostPage, url);
    await connectionState(hostPage, "Connected", 60_000);
    await guestPage.goto(url);
    await guestPage.getByRole("button", { name: "Join muted" }).click();
    await guestPage.getByRole("button", { name: "Join without camera" }).click();
    await expect(guestPage.getByRole("button", { name: "Join muted" }).getAttribute("aria-pressed")).resolves.toBe("true");
    // the fake microphone beeps: the meter shows it
    await poll("the microphone level moving", async () => Number(await guestPage.getByRole("meter").getAttribute("aria-valuenow")) > 0, 20_000);
    await guestPage.getByLabel("Your name").fill("Quinn Quiet");
    await guestPage.getByRole("button", { name: "Join now" }).click();
    await connectionState(guestPage, "Connected", 60_000);
    // as chosen: muted and camera off; the host sees the guest without video and receives the host's media
    await expect(guestPage.getByRole("button", { name: "Unmute", exact: true }).isVisible()).resolves.toBe(true);
    await expect(guestPage.getByRole("button", { name: "Start camera", exact: true }).isVisible()).resolves.toBe(true);
    await expectDecoding(guestPage, 1, 60_000);
    await poll("the host listing the guest", async () => (await hostPage.getByText("Quinn Quiet").count()) > 0);
    expect(await hostPage.locator("video[data-peer-id]:not([data-self])").count()).toBe(0);
  });

  test("a camera slower than the join waits for: the guest joins at once and is seen and heard once it starts", { timeout: 180_000 }, async () => {
    const host = await newUser(stack.web.url, "Hana Host");
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Slow webcam", maxParticipants: 10 });
    const url = `${stack.web.url}/m/${meeting.code}?quality=low`;
    // the join waits 6 s for the devices (PreJoin's DEVICE_WAIT_MS); this camera and microphone take 10 s
    const [hostPage, guestPage] = await Promise.all([slowCameraPage(host.cookie, 1500), slowCameraPage(undefined, 10_000)]);
    await hurriedJoin(hostPage, url);
    await hurriedJoin(guestPage, url, "Sam Slow");
    await guestPage.getByRole("button", { name: "Starting camera…" }).waitFor({ timeout: 10_000 });
    await connectionState(guestPage, "Connected", 60_000);
    await guestPage.getByText("Your camera and microphone are still starting").waitFor({ timeout: 10_000 });
    // once they start they are published: the host sees and hears the guest, nobody clicked anything
    await expectDecoding(hostPage, 1, 60_000);
    await expectHearing([hostPage, guestPage]);
    await expect(guestPage.getByRole("button", { name: "Mute", exact: true }).isVisible()).resolves.toBe(true);
    await expect(guestPage.getByRole("button", { name: "Stop camera", exact: true }).isVisible()).resolves.toBe(true);
  });

  test("4 people: everyone sees and hears everyone (SFU)", { timeout: 300_000 }, async () => {
    const { pages } = await meetingWithHurriedPeople(4);
    await poll("the meeting on the SFU", async () => (await pages[0]!.locator("#media-mode").innerText()) === "Via media server (SFU)");
  });
});

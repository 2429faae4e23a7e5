/// <reference lib="dom" />
// /random in real headless Chromium (fake camera and microphone) against a realtime node and the web app: guests
// matched into a 1:1 WebRTC call who see and hear each other, Next for both, a third person, a reload mid-call; text-only
// people matched with each other without a camera; a camera that is refused.
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { STEP_MS } from "./support/meetingPages.ts";
import { expectSeesAndHears, nextButton, openRandom, panelState, partnerOf, readPanelState, startButton, uniqueName } from "./support/randomPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// one realtime node; every test's guests sign in from this machine
const SHOTS = process.env.MEETING_SCREENSHOTS ?? path.join(os.tmpdir(), "qualmeet-meeting-shots");
mkdirSync(SHOTS, { recursive: true });

// many guests from one address, after other test files' guests in the same hour (the bucket is shared in Redis):
// a limit that refills within moments
const stack = useMeetingStack({ webEnv: { RATE_LIMIT_GUESTS_PER_HOUR: "100000" } });

/** Counts getUserMedia calls in the page (window.__cameraAsks). */
function countCameraAsks() {
  const w = window as unknown as { __cameraAsks: number };
  w.__cameraAsks = 0;
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    w.__cameraAsks++;
    return original(constraints);
  };
}

/** Refuses the camera as a person who clicked "Block" would (the microphone still works). */
function refuseCamera() {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => (constraints?.video ? Promise.reject(new DOMException("Permission denied", "NotAllowedError")) : original(constraints));
}

/** Tabs to the button named `name` (at most 60 presses) and presses Enter on it. */
async function pressWithKeyboard(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => (document.activeElement instanceof HTMLButtonElement ? document.activeElement.innerText.trim() : null));
    if (focused === name) {
      await page.keyboard.press("Enter");
      return;
    }
  }
  throw new Error(`the ${name} button cannot be reached with Tab`);
}

/** A camera that sends only black frames (its track disabled, as a covered lens would look). */
function blackCamera() {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    for (const track of stream.getVideoTracks()) track.enabled = false;
    return stream;
  };
}

const cameraAsks = (page: Page) => page.evaluate(() => (window as unknown as { __cameraAsks: number }).__cameraAsks);

describe("/random", () => {
  test("two guests are matched, see and hear each other; both press Next and are requeued; a third is matched; a reload mid-call", { timeout: 240_000 }, async () => {
    const [annName, benName, cyName] = [uniqueName("Ann"), uniqueName("Ben"), uniqueName("Cy")];
    const ann = await openRandom(stack, annName);
    const ben = await openRandom(stack, benName);

    // Start pressed at once: the camera is still starting, the call waits for it
    await startButton(ann).click();
    await panelState(ann, "Searching");
    await ann.locator("#random-waited").waitFor();
    await startButton(ben).click();
    await panelState(ann, "Connected", 40_000);
    await panelState(ben, "Connected", 40_000);
    expect(await partnerOf(ann)).toBe(benName);
    expect(await partnerOf(ben)).toBe(annName);
    const annHears = await expectSeesAndHears(ann);
    await ann.screenshot({ path: path.join(SHOTS, "random-call-1280.png"), fullPage: true });
    const benHears = await expectSeesAndHears(ben);
    console.log(`[random] media in 1 s: ann ${JSON.stringify(annHears)}, ben ${JSON.stringify(benHears)}`);
    await ann.getByLabel(`Video of ${benName}`).waitFor();

    // text chat and a reaction in the call
    await ann.getByLabel("Message", { exact: true }).fill("Hi from Ann");
    await ann.getByRole("button", { name: "Send", exact: true }).click();
    await ben.getByRole("list", { name: "Messages" }).getByText("Hi from Ann").waitFor();
    await ben.getByRole("button", { name: "React: Wave" }).click();
    await ann.getByRole("img", { name: "Partner: Wave" }).waitFor();

    // Ann presses Next twice quickly: one Next; Ben sees the partner leave and presses Next too
    await nextButton(ann).dblclick();
    await panelState(ann, "Searching");
    await panelState(ben, "Partner left");
    await nextButton(ben).click();
    await panelState(ben, "Searching");
    // the same two are not matched again right away: both stay in the queue
    // (Next.js keeps an empty role="alert" route announcer on every page)
    expect(await ann.getByRole("alert").filter({ hasText: /\S/ }).allInnerTexts()).toEqual([]);
    expect([await readPanelState(ann), await readPanelState(ben)]).toEqual(["Searching", "Searching"]);

    // a third person is matched with one of them (the one who waited longest: Ann)
    const cy = await openRandom(stack, cyName);
    await startButton(cy).click();
    await panelState(cy, "Connected", 40_000);
    const cyPartner = await partnerOf(cy);
    expect([annName, benName]).toContain(cyPartner);
    const [matched, waiting] = cyPartner === annName ? [ann, ben] : [ben, ann];
    await panelState(matched, "Connected", 40_000);
    expect(await partnerOf(matched)).toBe(cyName);
    expect(await readPanelState(waiting)).toBe("Searching");
    await expectSeesAndHears(cy);

    // Cy reloads mid-call: the partner sees them leave; Cy is back at Start without the consent questions
    await cy.reload();
    await panelState(matched, "Partner left", STEP_MS * 2);
    await startButton(cy).waitFor();
    expect(await cy.getByLabel("I am 18 or older").count()).toBe(0);
    await panelState(cy, "Not started");
  });

  test("text-only people are matched with each other and see their shared interest; nobody's camera is asked for", { timeout: 120_000 }, async () => {
    const [tomName, tessName] = [uniqueName("Tom"), uniqueName("Tess")];
    const tom = await openRandom(stack, tomName, { textOnly: true, interests: "Chess, jazz", beforeLoad: countCameraAsks });
    const tess = await openRandom(stack, tessName, { textOnly: true, interests: "hiking, chess", beforeLoad: countCameraAsks });
    await startButton(tom).click();
    // Tess uses the keyboard only, on a phone-sized screen
    await tess.setViewportSize({ width: 390, height: 844 });
    await pressWithKeyboard(tess, "Start");
    await panelState(tom, "Connected");
    await panelState(tess, "Connected");
    expect(await partnerOf(tom)).toBe(tessName);
    await tom.getByText("(text only)").waitFor();
    for (const page of [tom, tess]) await expect(page.locator("#random-shared").innerText()).resolves.toBe("You both like: chess");
    await tom.getByLabel("Message", { exact: true }).fill("Text only here");
    await tom.getByLabel("Message", { exact: true }).press("Enter");
    await tess.getByRole("list", { name: "Messages" }).getByText("Text only here").waitFor();
    expect(await cameraAsks(tom)).toBe(0);
    expect(await cameraAsks(tess)).toBe(0);
    expect(await tom.locator("video").count()).toBe(0);
    // nothing wider than the phone's screen; Next and Stop are reachable from the keyboard
    expect(await tess.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await tess.screenshot({ path: path.join(SHOTS, "random-text-only-phone.png"), fullPage: true });
    await tom.screenshot({ path: path.join(SHOTS, "random-text-only-1280.png"), fullPage: true });
    await pressWithKeyboard(tess, "Next");
    await panelState(tess, "Searching");
    await panelState(tom, "Partner left");
  });

  test("a refused camera: a clear message, text only offered, and then matched with a text-only person", { timeout: 120_000 }, async () => {
    const [denName, tiaName] = [uniqueName("Den"), uniqueName("Tia")];
    const den = await openRandom(stack, denName, { beforeLoad: refuseCamera });
    await startButton(den).click();
    const problem = den.getByRole("alert").filter({ hasText: "Camera access is blocked" });
    await problem.waitFor();
    await problem.getByRole("button", { name: "Use text only" }).click();
    await expect(den.getByLabel(/^Text only/).isChecked()).resolves.toBe(true);
    // the search Den began goes on in text only
    await panelState(den, "Searching");
    const tia = await openRandom(stack, tiaName, { textOnly: true });
    await startButton(tia).click();
    await panelState(den, "Connected");
    expect(await partnerOf(den)).toBe(tiaName);
  });

  test("skip partners whose video stays black (off by default): turned on, a black partner is skipped after 10 s", { timeout: 120_000 }, async () => {
    const [amyName, blakeName] = [uniqueName("Amy"), uniqueName("Blake")];
    const amy = await openRandom(stack, amyName);
    const skip = amy.getByLabel("Skip partners whose video stays black for 10 s");
    await expect(skip.isChecked()).resolves.toBe(false);
    await skip.check();
    const blake = await openRandom(stack, blakeName, { beforeLoad: blackCamera });
    await startButton(amy).click();
    await startButton(blake).click();
    await panelState(amy, "Connected", 40_000);
    await amy.getByText(`Skipped ${blakeName}: their video stayed black for 10 s.`).waitFor({ timeout: 40_000 });
    await panelState(amy, "Searching");
    await panelState(blake, "Partner left");
  });
});

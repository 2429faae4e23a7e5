/// <reference lib="dom" />
// Helpers for the /random e2e tests: a guest opening the page (consent, name), the connection panel, what the
// call receives (window.__qualmeetRandom, declared by the page: app/random/RandomChat.tsx).
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { newPage, STEP_MS } from "./meetingPages.ts";
import type { MeetingStack } from "./stack.ts";

export interface CallStats {
  connectionState: string;
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
  audioLevel: number;
}

declare global {
  interface Window {
    /** the page's test hook (app/random/RandomChat.tsx) */
    __qualmeetRandom?: { stats(): Promise<unknown>; deviceId: string };
  }
}

export const uniqueName = (first: string) => `${first} ${randomUUID().slice(0, 4)}`;

/**
 * A guest on /random (320x240 camera): confirms age and rules, gives a name and lands on the Start button.
 * `textOnly` and `interests` set those preferences first; `beforeLoad` runs in the page before its scripts (e.g. to
 * watch or refuse getUserMedia).
 */
export async function openRandom(
  stack: Pick<MeetingStack, "web" | "browser" | "contexts">,
  name: string,
  options: { textOnly?: boolean; interests?: string; beforeLoad?: () => void; prepare?: (page: Page) => Promise<void> } = {},
): Promise<Page> {
  const page = await newPage(stack.browser, stack.contexts);
  if (options.beforeLoad) await page.addInitScript(options.beforeLoad);
  await options.prepare?.(page);
  await page.goto(`${stack.web.url}/random?quality=low`);
  await page.getByLabel("I am 18 or older").check();
  await page.getByLabel("I accept the rules").check();
  await page.getByRole("button", { name: "Continue", exact: true }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Continue as guest" }).click();
  await page.getByRole("button", { name: "Start", exact: true }).waitFor();
  if (options.textOnly) await page.getByLabel(/^Text only/).check();
  if (options.interests) await page.getByLabel(/^Interests/).fill(options.interests);
  return page;
}

export const startButton = (page: Page) => page.getByRole("button", { name: "Start", exact: true });
export const nextButton = (page: Page) => page.getByRole("button", { name: "Next", exact: true });
export const stopButton = (page: Page) => page.getByRole("button", { name: "Stop", exact: true });

export type PanelState = "Not started" | "Searching" | "Connecting" | "Connected" | "Partner left";

export async function panelState(page: Page, state: PanelState, timeout = STEP_MS): Promise<void> {
  await page.locator("#random-state", { hasText: new RegExp(`^${state}$`) }).waitFor({ timeout });
}

export const readPanelState = (page: Page) => page.locator("#random-state").innerText();

/** The partner's name in the connection panel (while matched). */
export async function partnerOf(page: Page): Promise<string> {
  const text = await page.getByRole("region", { name: "Connection" }).innerText();
  return /with (.+?)(?: \(text only\))?\n/.exec(`${text}\n`)?.[1]?.trim() ?? "";
}

export const deviceIdOf = (page: Page) => page.evaluate(() => window.__qualmeetRandom!.deviceId);

export const callStats = (page: Page) => page.evaluate(() => window.__qualmeetRandom!.stats() as Promise<CallStats | null>);

/** Waits until the partner's video decodes new frames and their audio (the fake microphone's beep) is heard. */
export async function expectSeesAndHears(page: Page, timeout = 40_000): Promise<{ framesGained: number; audioLevel: number; audioPackets: number }> {
  const deadline = Date.now() + timeout;
  let last: CallStats | null = null;
  for (;;) {
    const before = await callStats(page);
    await page.waitForTimeout(1000);
    const after = await callStats(page);
    last = after;
    if (before && after && after.framesDecoded > before.framesDecoded && after.audioPacketsReceived > before.audioPacketsReceived && after.audioLevel > 0) {
      return { framesGained: after.framesDecoded - before.framesDecoded, audioLevel: after.audioLevel, audioPackets: after.audioPacketsReceived };
    }
    if (Date.now() > deadline) throw new Error(`no media from the partner: ${JSON.stringify(last)}`);
  }
}

import { chromium, type Browser } from "playwright-core";
import { traceContexts } from "./artifacts.ts";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

/**
 * Headless Debian Chromium with a fake camera and microphone (playwright gives each launch a fresh profile).
 * In end-to-end tests its contexts record traces for failed tests (tests/harness/artifacts.ts).
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, timeout: 60_000 });
  traceContexts(browser);
  return browser;
}

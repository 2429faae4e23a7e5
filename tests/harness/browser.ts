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
 * `args` are added to the flags above. `handleSignals: false` is for a caller that closes the browser itself on
 * Ctrl-C (the benches' clean-up): Playwright's own handler would exit the process before that clean-up has
 * stopped everything else.
 */
export async function launchChromium({ args = [], handleSignals = true }: { args?: string[]; handleSignals?: boolean } = {}): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...args],
    timeout: 60_000,
    handleSIGINT: handleSignals,
    handleSIGTERM: handleSignals,
    handleSIGHUP: handleSignals,
  });
  traceContexts(browser);
  return browser;
}

// The stack the meeting and chat e2e files run against: one realtime node, the web app pointing its pages at it, and Chromium.
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { freePort } from "../../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../../tests/harness/browser.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";

export interface MeetingStack {
  readonly web: WebServer;
  readonly realtime: RealtimeServer;
  readonly browser: Browser;
  /** the browser contexts the current test opened; closed after each test */
  readonly contexts: BrowserContext[];
  /** Stops the realtime node, awaits `whileDown` (what the test does during the outage), then starts a new one on the same port. */
  restartRealtime(whileDown: () => Promise<void>): Promise<void>;
}

/**
 * Registers the file's hooks: starts the stack before all tests, closes the test's browser contexts after each,
 * stops everything after all. Read the servers from the returned object inside tests (they exist once started).
 */
export function useMeetingStack(options: { realtimeEnv?: Record<string, string>; webEnv?: Record<string, string>; chromiumArgs?: string[] } = {}): MeetingStack {
  let web: WebServer | undefined;
  let realtime: RealtimeServer | undefined;
  let browser: Browser | undefined;
  let allowedOrigins: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // The realtime node must allow the web origin, and the web app must know the realtime URL: fix the port first.
    const webPort = await freePort();
    allowedOrigins = [`http://localhost:${webPort}`];
    realtime = await startRealtime({ allowedOrigins, env: options.realtimeEnv });
    const [w, b] = await Promise.allSettled([
      startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ...options.webEnv } }),
      launchChromium({ args: options.chromiumArgs }),
    ]);
    // keep whatever started, so afterAll stops it even when the other failed
    if (w.status === "fulfilled") web = w.value;
    if (b.status === "fulfilled") browser = b.value;
    for (const r of [w, b]) if (r.status === "rejected") throw r.reason;
  });

  afterEach(async () => {
    await Promise.allSettled(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await Promise.allSettled([browser?.close(), web?.stop(), realtime?.stop()]);
  });

  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${what} is not started (use it inside a test, after beforeAll)`);
    return value;
  };
  return {
    get web() {
      return started("web server", web);
    },
    get realtime() {
      return started("realtime server", realtime);
    },
    get browser() {
      return started("browser", browser);
    },
    contexts,
    async restartRealtime(whileDown) {
      const stopped = started("realtime server", realtime);
      await stopped.stop();
      await whileDown();
      realtime = await startRealtime({ port: stopped.port, allowedOrigins, env: options.realtimeEnv });
    },
  };
}

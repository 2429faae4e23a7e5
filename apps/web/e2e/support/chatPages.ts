/// <reference lib="dom" />
// Helpers for chat e2e tests: web + realtime + Chromium, and the /chat page's landmarks.
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { freePort } from "../../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../../tests/harness/browser.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";

export interface ChatServers {
  web: WebServer;
  realtime: RealtimeServer;
  browser: Browser;
  /** restarts the realtime node on the same port (after `realtime.stop()`) */
  restartRealtime(): Promise<RealtimeServer>;
  stop(): Promise<void>;
}

/** One web server, one realtime node (both with `env`) and Chromium. */
export async function startChatServers(env: Record<string, string> = {}): Promise<ChatServers> {
  const webPort = await freePort();
  const allowedOrigins = [`http://localhost:${webPort}`];
  let realtime = await startRealtime({ allowedOrigins, env });
  const [w, b] = await Promise.allSettled([startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ...env } }), launchChromium()]);
  const servers: ChatServers = {
    web: w.status === "fulfilled" ? w.value : (undefined as never),
    realtime,
    browser: b.status === "fulfilled" ? b.value : (undefined as never),
    restartRealtime: async () => {
      realtime = await startRealtime({ allowedOrigins, env, port: realtime.port });
      servers.realtime = realtime;
      return realtime;
    },
    stop: async () => {
      await Promise.allSettled([servers.browser?.close(), servers.web?.stop(), servers.realtime?.stop()]);
    },
  };
  if (w.status === "rejected" || b.status === "rejected") {
    await servers.stop();
    throw w.status === "rejected" ? w.reason : (b as PromiseRejectedResult).reason;
  }
  return servers;
}

export const unique = (name: string) => `${name} ${randomUUID().slice(0, 6)}`;

/** The list of conversations on /chat. */
export const conversationList = (page: Page): Locator => page.getByRole("list", { name: "Conversations" });

/** The conversation entry whose title contains `title`. */
export const conversationItem = (page: Page, title: string): Locator => conversationList(page).getByRole("button").filter({ hasText: title });

/** The message history of the open conversation. */
export const messageLog = (page: Page): Locator => page.getByRole("log", { name: "Messages" });

export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** Opens the direct conversation with `name` from "Find people". */
export async function openDirectWith(page: Page, name: string): Promise<void> {
  await page.getByLabel("Find people").fill(name);
  await page.getByRole("button", { name: `Message ${name}` }).click();
  await page.getByRole("region", { name }).waitFor();
}

export type { Browser, BrowserContext, Page };

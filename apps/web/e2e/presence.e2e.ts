// "Online now" on the home page, fed by the realtime server's presence.online subscription over the
// browser's own cookie-authenticated WebSocket (URL handed to the page by the server, no rebuild).
import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { useMeetingStack } from "./support/stack.ts";

const STEP_MS = 15_000;

const stack = useMeetingStack();

async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext();
  stack.contexts.push(context);
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  return { context, page: await context.newPage() };
}

test("signed-in users and guests see each other under Online now, live", async () => {
  const host = await newContext();
  const hostName = `Host ${randomUUID().slice(0, 8)}`;
  await host.page.goto(`${stack.web.url}/register`);
  await host.page.getByLabel("Name").fill(hostName);
  await host.page.getByLabel("Email").fill(`user-${randomUUID()}@example.test`);
  await host.page.getByLabel("Password").fill("correct horse battery");
  await host.page.getByRole("button", { name: "Create account" }).click();
  await host.page.waitForURL(`${stack.web.url}/`);
  const hostOnline = host.page.getByRole("region", { name: /Online now/ });
  await hostOnline.getByText(hostName).waitFor();

  await host.page.getByRole("button", { name: "New meeting" }).click();
  await host.page.waitForURL(/\/m\/[a-z0-9]{8}$/);
  const meetingUrl = host.page.url();
  await host.page.goto(`${stack.web.url}/`);

  const guest = await newContext();
  const guestName = `Guest ${randomUUID().slice(0, 8)}`;
  await guest.page.goto(meetingUrl);
  await guest.page.getByLabel("Your name").fill(guestName);
  await guest.page.getByRole("button", { name: "Join now" }).click();
  await guest.page.getByRole("button", { name: "Copy link" }).waitFor();
  await guest.page.goto(`${stack.web.url}/`);

  const guestOnline = guest.page.getByRole("region", { name: /Online now/ });
  await guestOnline.getByText(hostName).waitFor();
  await guestOnline.getByText(guestName).waitFor();
  // the host's open page learns about the guest without reloading
  await hostOnline.getByText(guestName).waitFor();

  // the guest leaves: gone from the host's list
  await guest.context.close();
  await hostOnline.getByText(guestName).waitFor({ state: "detached" });
  await expect(hostOnline.getByText(hostName).isVisible()).resolves.toBe(true);
});

/// <reference lib="dom" />
// A PostgreSQL restart in the middle of a conversation, as two people live it in Chromium: the test stops the
// test run's PostgreSQL, one person sends 20 messages (the other sees them live, with the history loaded
// before still on screen), the other reloads during the outage (a plain-words error that retries by itself,
// never internal error text, never a pane stuck on "Loading…"), PostgreSQL starts again and both keep
// chatting. No response is a 500, none fails at all once PostgreSQL is back, and after a reload both sides
// hold every message once, in order.
import { afterEach, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { newUser } from "../../../tests/harness/clients.ts";
import { startTestPostgres, stopTestPostgres } from "../../../tests/harness/postgres.ts";
import { conversationItem, messageLog, openDirectWith, sendMessage, unique } from "./support/chatPages.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

/** for both servers: the chat API runs in each */
const SERVER_ENV = { RATE_LIMIT_CHAT_PER_10S: "1000" };
const stack = useMeetingStack({ realtimeEnv: SERVER_ENV, webEnv: SERVER_ENV });

afterEach(async () => {
  // whatever happened, the other test files find PostgreSQL running
  await startTestPostgres();
});

type Phase = "before" | "outage" | "after";
let phase: Phase = "before";
const failures: Array<{ phase: Phase; status: number; url: string }> = [];

/** A /chat page whose failed responses (5xx) are recorded with the phase their request was sent in. */
async function chatPage(cookie: string): Promise<Page> {
  const page = await newPage(stack.browser, stack.contexts, cookie);
  const sentIn = new WeakMap<object, Phase>();
  page.on("request", (request) => sentIn.set(request, phase));
  page.on("response", (response) => {
    if (response.status() >= 500) failures.push({ phase: sentIn.get(response.request()) ?? phase, status: response.status(), url: response.url() });
  });
  await page.goto(`${stack.web.url}/chat`);
  await page.getByRole("heading", { name: "Chat", exact: true }).waitFor();
  return page;
}

/** The message bodies in the open conversation, oldest first. */
const bodies = (page: Page) => messageLog(page).locator("li[data-message-id] p.break-words").allInnerTexts();

/** What the page's alerts say (Next's empty route announcer is one too). */
const alerts = async (page: Page) => (await page.getByRole("alert").allInnerTexts()).filter((text) => text.trim());

/** Internal error text that must never reach the screen. */
const INTERNAL_TEXT = /prisma|invocation|57P0\d|ECONN|DriverAdapter|terminating connection/i;

test("PostgreSQL restarted while one person sends 20 messages: delivered live, no 500, no pane stuck, all stored once in order", { timeout: 240_000 }, async () => {
  const [annName, bobName] = [unique("Ann"), unique("Bob")];
  const [ann, bob] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName)]);
  const a = await chatPage(ann.cookie);
  const b = await chatPage(bob.cookie);
  await openDirectWith(a, bobName);
  await sendMessage(a, "before the outage");
  await conversationItem(b, annName).click();
  await messageLog(b).getByText("before the outage").waitFor();

  phase = "outage";
  await stopTestPostgres();
  const outage = Array.from({ length: 20 }, (_, i) => `during the outage ${i + 1}`);
  for (const text of outage) await sendMessage(a, text);
  // Bob sees them live, below the history he had loaded
  await messageLog(b).getByText("during the outage 20", { exact: true }).waitFor({ timeout: 60_000 });
  expect(await bodies(b)).toEqual(["before the outage", ...outage]);

  // Ann reloads while PostgreSQL is down: the page says in words what is wrong and keeps trying
  await a.reload();
  await a.getByRole("alert").filter({ hasText: "Trying again" }).first().waitFor({ timeout: 60_000 });
  for (const page of [a, b]) expect(await page.locator("body").innerText()).not.toMatch(INTERNAL_TEXT);

  await startTestPostgres();
  phase = "after";
  // Ann's page recovers by itself: the conversation and its messages are back, nothing says loading
  const annLog = messageLog(a);
  await annLog.getByText("during the outage 20", { exact: true }).waitFor({ timeout: 60_000 });
  await expect.poll(() => a.getByText("Loading…").count(), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => alerts(a), { timeout: 30_000 }).toEqual([]);

  // both keep chatting
  await sendMessage(b, "after the restart, from Bob");
  await annLog.getByText("after the restart, from Bob").waitFor();
  await sendMessage(a, "after the restart, from Ann");
  await messageLog(b).getByText("after the restart, from Ann").waitFor();

  // after a reload both sides hold every message once, in order, with no pane loading or failing
  const expected = ["before the outage", ...outage, "after the restart, from Bob", "after the restart, from Ann"];
  for (const page of [a, b]) {
    await page.reload();
    await messageLog(page).getByText("after the restart, from Ann").waitFor();
    expect(await bodies(page)).toEqual(expected);
    await expect.poll(() => page.getByText("Loading…").count()).toBe(0);
    expect(await alerts(page)).toEqual([]);
    expect(await page.locator("body").innerText()).not.toMatch(INTERNAL_TEXT);
  }

  expect(failures.filter((f) => f.status === 500)).toEqual([]);
  expect(failures.filter((f) => f.phase === "after")).toEqual([]);
});

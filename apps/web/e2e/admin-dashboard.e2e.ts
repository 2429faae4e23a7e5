/// <reference lib="dom" />
// The admin dashboard follows reality without a reload: a meeting started in another browser shows up (under its
// mode, with its participants) within 2 s of its page saying it joined, and leaves when it ends; when the realtime
// socket drops the page says so and comes back live. Two strangers in random chat are one active pair. Usable on a
// phone. Pages at 320x240@15.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { join, newPage } from "./support/meetingPages.ts";
import { openRandom, startButton, stopButton, uniqueName } from "./support/randomPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// guests sign in from one address, and earlier files of a full run used the same bucket
const stack = useMeetingStack({ webEnv: { RATE_LIMIT_GUESTS_PER_HOUR: "100000" } });
let db: PrismaClient;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await db?.$disconnect();
});

const stat = (page: Page, id: string) => page.locator(`[data-stat="${id}"]`).innerText();
const feed = (page: Page) => page.getByTestId("dashboard-feed").innerText();

async function adminDashboard(): Promise<Page> {
  const admin = await newUser(stack.web.url, "Ada Admin");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  const page = await newPage(stack.browser, stack.contexts, admin.cookie);
  await page.goto(`${stack.web.url}/admin`);
  await expect.poll(() => feed(page), { timeout: 20_000 }).toMatch(/^Live/);
  return page;
}

test("a meeting started in another browser shows on the dashboard within 2 s of joining, by mode, and leaves when it ends", async () => {
  const dashboard = await adminDashboard();
  // the page came with its numbers, and reads them out as text
  await expect.poll(() => stat(dashboard, "meetings-p2p")).toBe("0");
  expect(await stat(dashboard, "participants-p2p")).toBe("0");
  await dashboard.getByRole("heading", { name: "Realtime nodes (1)" }).waitFor();
  const loadedAt = await dashboard.evaluate(() => performance.timeOrigin);

  const host = await newUser(stack.web.url, "Hana Host");
  const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Watched" });
  const hostPage = await newPage(stack.browser, stack.contexts, host.cookie);
  await join(hostPage, stack.web.url, meeting.code);
  const joinedAt = Date.now();
  await expect.poll(() => stat(dashboard, "meetings-p2p"), { timeout: 2000, interval: 50 }).toBe("1");
  const shownAfterMs = Date.now() - joinedAt;
  await expect.poll(() => stat(dashboard, "participants-p2p"), { timeout: 2000, interval: 50 }).toBe("1");
  expect(await stat(dashboard, "meetings-sfu")).toBe("0");

  // a guest joins: two participants, still one P2P meeting
  const guestPage = await newPage(stack.browser, stack.contexts);
  await join(guestPage, stack.web.url, meeting.code, "Gus Guest");
  const guestJoinedAt = Date.now();
  await expect.poll(() => stat(dashboard, "participants-p2p"), { timeout: 2000, interval: 50 }).toBe("2");
  const guestShownAfterMs = Date.now() - guestJoinedAt;

  // the host ends the meeting: the dashboard is back to none
  hostPage.once("dialog", (dialog) => void dialog.accept());
  await hostPage.getByRole("button", { name: "End meeting" }).click();
  await guestPage.getByRole("heading", { name: "The host ended the meeting" }).waitFor();
  await expect.poll(() => stat(dashboard, "meetings-p2p"), { timeout: 10_000, interval: 50 }).toBe("0");
  expect(await stat(dashboard, "participants-p2p")).toBe("0");

  // all of it without a reload
  expect(await dashboard.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
  console.log(JSON.stringify({ dashboard: "join to dashboard", meetingShownAfterMs: shownAfterMs, secondParticipantShownAfterMs: guestShownAfterMs }));
});

test("two strangers matched in random chat are one active pair and two matched people, until one stops", async () => {
  const dashboard = await adminDashboard();
  const count = async (id: string) => Number(await stat(dashboard, id));
  const [queueBefore, pairsBefore, matchedBefore] = [await count("random-queue"), await count("random-pairs"), await count("random-matched")];
  const [ana, ben] = [await openRandom(stack, uniqueName("Ana"), { textOnly: true }), await openRandom(stack, uniqueName("Ben"), { textOnly: true })];
  await startButton(ana).click();
  await expect.poll(() => count("random-queue"), { timeout: 10_000 }).toBe(queueBefore + 1);
  await startButton(ben).click();
  await expect.poll(() => count("random-pairs"), { timeout: 10_000 }).toBe(pairsBefore + 1);
  expect(await count("random-queue")).toBe(queueBefore);
  expect(await count("random-matched")).toBe(matchedBefore + 2);
  await stopButton(ana).click();
  await expect.poll(() => count("random-pairs"), { timeout: 10_000 }).toBe(pairsBefore);
});

test("the page says when the live feed is lost, and is live again once the realtime server is back", async () => {
  const dashboard = await adminDashboard();
  await stack.restartRealtime(async () => {
    await expect.poll(() => feed(dashboard), { timeout: 20_000 }).toBe("Connection lost. Reconnecting…");
    // the last numbers stay on screen meanwhile
    expect(await stat(dashboard, "meetings-p2p")).toBe("0");
  });
  await expect.poll(() => feed(dashboard), { timeout: 40_000 }).toMatch(/^Live/);
});

test("on a phone the dashboard fits the screen, and every number is labelled", async () => {
  const dashboard = await adminDashboard();
  await dashboard.setViewportSize({ width: 390, height: 844 });
  await dashboard.getByRole("heading", { name: "Meetings" }).waitFor();
  // the dashboard's own socket is one of the open connections, and its admin is online
  await expect.poll(() => stat(dashboard, "sockets")).not.toBe("0");
  expect(await stat(dashboard, "users-online")).not.toBe("0");
  expect(await dashboard.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  const unlabelled = await dashboard.locator("dd").evaluateAll((values) => values.filter((dd) => !dd.previousElementSibling?.textContent?.trim()).length);
  expect(unlabelled).toBe(0);
  // the nodes' table scrolls within its own region, which the keyboard reaches
  const table = dashboard.getByRole("region", { name: "Realtime nodes table" });
  await table.focus();
  expect(await table.evaluate((el) => el === document.activeElement)).toBe(true);
});

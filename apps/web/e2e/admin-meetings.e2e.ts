/// <reference lib="dom" />
// The admin console in Chromium: an admin finds the live meeting another browser is in on /admin/meetings,
// removes that person with a reason, and the person's page says they were removed (the link no longer lets them
// in). On a phone (390x844) the Users page and a user's page fit the screen and work from the keyboard.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { join, newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();
let db: PrismaClient;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await db?.$disconnect();
});

async function newAdmin(name: string) {
  const person = await newUser(stack.web.url, name);
  await db.user.update({ where: { id: person.id }, data: { role: "ADMIN" } });
  return person;
}

/** How far the page is wider than the screen (0: no sideways scrolling of the page itself). */
const sidewaysOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("an admin removes someone from a live meeting; their page says so and the link no longer lets them in", async () => {
  const admin = await newAdmin("Admin Ada");
  const host = await newUser(stack.web.url, "Host Hal");
  const rita = await newUser(stack.web.url, "Rita Remote");
  const title = `Town hall ${randomUUID().slice(0, 6)}`;
  const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title });

  const ritaPage = await newPage(stack.browser, stack.contexts, rita.cookie);
  await join(ritaPage, stack.web.url, meeting.code);

  const adminPage = await newPage(stack.browser, stack.contexts, admin.cookie);
  await adminPage.goto(`${stack.web.url}/admin/meetings`);
  const card = adminPage.getByRole("listitem").filter({ has: adminPage.getByRole("heading", { name: title }) });
  await card.getByText("Rita Remote").waitFor();
  await expect.poll(() => card.getByText("Direct (P2P)").count()).toBe(1);

  await card.getByRole("button", { name: `Remove Rita Remote from ${title}` }).click();
  // the reason box has the focus: typed straight away, confirmed with the keyboard
  await adminPage.keyboard.type("Disrupting the town hall");
  await expect.poll(() => adminPage.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("reason");
  await card.getByRole("button", { name: "Remove Rita Remote", exact: true }).click();

  await ritaPage.getByRole("heading", { name: "You were removed from this meeting" }).waitFor({ timeout: 20_000 });
  // the console's list follows: she is no longer among the people
  await expect.poll(() => card.getByText("Rita Remote").count(), { timeout: 20_000 }).toBe(0);
  await ritaPage.goto(`${stack.web.url}/m/${meeting.code}?quality=low`);
  await ritaPage.getByRole("button", { name: "Join now" }).click();
  await ritaPage.getByText("You cannot join it or read its chat again unless the host lets you back.").waitFor({ timeout: 20_000 });

  const entry = await db.auditLog.findFirstOrThrow({ where: { actorId: admin.id, action: "admin.meeting.removeParticipant" } });
  expect(entry).toMatchObject({ targetId: rita.id, data: { meetingId: meeting.id, reason: "Disrupting the town hall" } });
});

test("on a phone the Users page and a user's page fit the screen, and search works from the keyboard", async () => {
  const admin = await newAdmin("Phone Admin Pia");
  const tag = randomUUID().slice(0, 8);
  const long = await newUser(stack.web.url, `Maximilianus-Bartholomew Featherstonehaugh ${tag}`);
  const phone = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  stack.contexts.push(phone);
  await phone.addCookies(
    admin.cookie.split("; ").map((pair) => {
      const eq = pair.indexOf("=");
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: "localhost", path: "/" };
    }),
  );
  const page = await phone.newPage();
  await page.goto(`${stack.web.url}/admin/users`);
  await page.getByRole("heading", { name: "Users" }).waitFor();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);

  await page.getByLabel("Name or e-mail").focus();
  await page.keyboard.type(tag);
  await page.keyboard.press("Enter");
  const link = page.getByRole("link", { name: `Maximilianus-Bartholomew Featherstonehaugh ${tag}` });
  await link.waitFor();
  expect(await page.getByRole("row").count()).toBe(2);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);

  await link.click();
  await page.getByRole("heading", { name: `Maximilianus-Bartholomew Featherstonehaugh ${tag}` }).waitFor();
  await page.getByText(long.email).waitFor();
  await page.getByRole("button", { name: "Sign out everywhere" }).waitFor();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
});

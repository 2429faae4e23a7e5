/// <reference lib="dom" />
// /admin/audit in real headless Chromium against the built web app, PostgreSQL and Redis: an admin filters the log
// by action and sees only those entries, verifies the chain ("intact"), downloads the CSV and finds exactly the
// rows on screen; a superuser then changes one entry behind the append-only rule, and Verify names that entry.
// The page also works at phone width (the table scrolls in its own box) and from the keyboard.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { restore, savedRow, tamper } from "../../../tests/harness/auditTamper.ts";
import { newUser } from "../../../tests/harness/clients.ts";
import { verifyAuditChain } from "../../../packages/api/src/services/auditChain.ts";
import { parseCsv } from "../../../tests/harness/csv.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();
let db: PrismaClient;
let superuser: pg.Client; // the harness's PostgreSQL role is a superuser
const prefix = `e2e${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  superuser = new pg.Client({ connectionString: process.env.DATABASE_URL! });
  await superuser.connect();
});

afterAll(async () => {
  await superuser?.end();
  await db?.$disconnect();
});

async function signedInAdmin(): Promise<Page> {
  const admin = await newUser(stack.web.url, "Audrey Auditor");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  return newPage(stack.browser, stack.contexts, admin.cookie);
}

/** Entries of this file: `flagged` ones to find (one with a reason a spreadsheet would run), `other` ones around them. */
async function seedEntries(): Promise<string[]> {
  const actor = await db.user.create({ data: { name: `Mod ${prefix}`, email: `mod-${randomUUID()}@example.test` } });
  const flagged: string[] = [];
  for (let i = 0; i < 7; i++) {
    const isFlagged = i % 2 === 1;
    const entry = await db.auditLog.create({
      data: {
        actorId: actor.id,
        action: `${prefix}.${isFlagged ? "flagged" : "other"}`,
        targetType: "user",
        targetId: randomUUID(),
        data: isFlagged ? { reason: i === 3 ? '=HYPERLINK("http://evil.example")' : `noisy ${i}` } : undefined,
        ip: "203.0.113.77",
      },
    });
    if (isFlagged) flagged.unshift(entry.id.toString());
  }
  return flagged;
}

const shownIds = (page: Page) => page.locator("tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-entry-id")));
const verifyResult = (page: Page) => page.locator("#audit-verify-result");

test("an admin filters by action, verifies the chain, exports exactly the rows shown, and Verify names a tampered entry", { timeout: 180_000 }, async () => {
  const flagged = await seedEntries();
  const page = await signedInAdmin();
  await page.goto(`${stack.web.url}/admin/audit`);
  await page.getByRole("heading", { name: "Audit log" }).waitFor();

  await page.getByLabel("Action").selectOption(`${prefix}.flagged`);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.waitForURL((url) => url.searchParams.get("action") === `${prefix}.flagged`);
  await expect.poll(() => shownIds(page)).toEqual(flagged);
  for (const action of await page.locator("tbody tr td:nth-child(4)").allInnerTexts()) expect(action).toBe(`${prefix}.flagged`);

  await page.getByRole("button", { name: "Verify chain" }).click();
  await verifyResult(page)
    .getByText(/^Chain intact, \d+ entries\.$/)
    .waitFor({ timeout: 60_000 });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-log-.*\.csv$/);
  const [header, ...records] = parseCsv(await readFile((await download.path())!, "utf8"));
  expect(header![0]).toBe("id");
  expect(records.map((r) => r[0])).toEqual(flagged);
  expect(records.map((r) => r[5])).toEqual(flagged.map(() => `${prefix}.flagged`));
  // the reason that starts like a formula is text in the file
  expect(records.map((r) => r[8])).toContain('\'=HYPERLINK("http://evil.example")');

  // an intruder with superuser access rewrites the middle flagged entry
  const victim = BigInt(flagged[1]!);
  const saved = await savedRow(superuser, victim);
  await tamper(superuser, `UPDATE "AuditLog" SET "action" = 'nothing.happened' WHERE "id" = $1`, [victim.toString()]);
  try {
    // from the keyboard: Tab from the top of the page reaches the button, Enter presses it
    const button = page.getByRole("button", { name: "Verify chain" });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let presses = 0; presses < 40 && !(await button.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press("Tab");
    await expect(button.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press("Enter");
    await verifyResult(page).getByText(`Broken at entry #${victim}`).waitFor({ timeout: 60_000 });
    await expect(verifyResult(page).innerText()).resolves.toMatch(/changed/);
  } finally {
    await restore(superuser, saved);
  }
  // put back exactly: the other test files share this database and its chain
  await expect(verifyAuditChain(db)).resolves.toMatchObject({ ok: true });
});

test("at phone width the page does not scroll sideways: the table scrolls in its own box", { timeout: 120_000 }, async () => {
  await seedEntries();
  const page = await signedInAdmin();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.web.url}/admin/audit?action=${prefix}.*`);
  await page.getByRole("region", { name: "Audit entries" }).waitFor();
  const widths = await page.evaluate(() => {
    const region = document.querySelector<HTMLElement>('[aria-label="Audit entries"]')!;
    return { page: document.documentElement.scrollWidth, viewport: window.innerWidth, region: region.clientWidth, table: region.scrollWidth };
  });
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  expect(widths.table).toBeGreaterThan(widths.region);
  for (const name of ["Apply filters", "Verify chain"]) await expect(page.getByRole("button", { name }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole("link", { name: "Export CSV" }).isVisible()).resolves.toBe(true);
});

test("the export gives non-admins 403 and signed-out visitors the sign-in page, never a row", async () => {
  await seedEntries();
  const person = await newUser(stack.web.url, "Nosy Norbert");
  const asPerson = await fetch(`${stack.web.url}/admin/audit/export?action=${prefix}.*`, { headers: { cookie: person.cookie }, redirect: "manual" });
  expect(asPerson.status).toBe(403);
  expect(asPerson.headers.get("content-type")).not.toMatch(/csv/);
  expect(await asPerson.text()).not.toContain("203.0.113.77");
  const signedOut = await fetch(`${stack.web.url}/admin/audit/export?action=${prefix}.*`, { redirect: "manual" });
  expect(signedOut.status).toBe(307);
  expect(signedOut.headers.get("location")).toMatch(/\/login\?callbackUrl=/);
  expect(signedOut.headers.get("content-type") ?? "").not.toMatch(/csv/);
  expect(await signedOut.text()).not.toContain("203.0.113.77");
});

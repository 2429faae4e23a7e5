/// <reference lib="dom" />
// Signing in under attack, and the pages under the Content-Security-Policy, in real headless Chromium against the
// built web app, a realtime node, PostgreSQL and Redis: after wrong passwords the right one still signs in (the
// browser solves the proof-of-work challenge unseen), a script that does not solve it is refused, and signing in,
// the home page, a meeting's page and joining it run with no CSP violation.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { register, signIn as scriptedSignIn, uniqueEmail } from "../../../tests/harness/clients.ts";
import { useMeetingStack } from "./support/stack.ts";
import { cameraPreviewPlaying, connectionState, newPage } from "./support/meetingPages.ts";

const stack = useMeetingStack();
let db: PrismaClient;
const password = "correct horse battery";
const CHALLENGE_NEEDED = "This sign-in needs a quick check of your browser first. Please try again.";

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await db?.$disconnect();
});

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** Collects what the page's CSP blocked (events and console errors), from before its first script runs. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(text)) consoleErrors.push(text);
    // the solver's worker must start under the policy (a fallback to the page's thread says so)
    if (text.startsWith("challenge:")) consoleErrors.push(text);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => window.__cspViolations!.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return async () => [...consoleErrors, ...((await page.evaluate(() => window.__cspViolations)) ?? [])];
}

const failures = (userId: string) => db.auditLog.count({ where: { action: "user.signInFailed", targetId: userId } });

test("after wrong passwords the right one signs in (the challenge solved unseen), and every page runs under the CSP", async () => {
  const { web, browser, contexts } = stack;
  const email = uniqueEmail();
  const { id } = await register(web.url, { name: "Careful Cleo", email, password });
  const page = await newPage(browser, contexts);
  const violations = await watchCsp(page);

  await page.goto(`${web.url}/login`);
  // three wrong passwords from this browser: its next sign-in needs a solved challenge
  for (let i = 1; i <= 3; i++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`wrong password ${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => failures(id), { timeout: 20_000 }).toBe(i);
    await page.locator("main [role=alert]", { hasText: "Wrong email or password." }).waitFor();
    await page.getByRole("button", { name: "Sign in" }).and(page.locator(":not([disabled])")).waitFor();
  }
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${web.url}/`, { timeout: 40_000 });
  await page.getByRole("heading", { name: "Hello, Careful Cleo" }).waitFor();

  // a meeting's page and joining it: the realtime socket, media and the worker-free pages all allowed
  await page.getByRole("button", { name: "New meeting" }).click();
  await page.waitForURL(/\/m\/[a-z0-9]{8}$/);
  await cameraPreviewPlaying(page);
  await page.getByRole("button", { name: "Join now" }).click();
  await connectionState(page, "Connected", 40_000);
  expect(await violations()).toEqual([]);
});

test("a script that does not solve the challenge is refused, even with the right password", async () => {
  const { web } = stack;
  const email = uniqueEmail();
  await register(web.url, { name: "Scripted Sid", email, password });
  for (let i = 0; i < 3; i++) expect((await scriptedSignIn(web.url, { email, password: "guess" })).error).toBe("Wrong email or password.");
  expect(await scriptedSignIn(web.url, { email, password })).toMatchObject({ ok: false, error: CHALLENGE_NEEDED });
});

// The account and meeting-landing flows in a real browser against the built web app, PostgreSQL and Redis:
// register, sign out and in, create and list meetings, guests joining by link, and the admin gate.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { startWeb, type WebServer } from "../../../tests/harness/servers.ts";

const PASSWORD = "correct horse battery";
const STEP_MS = 15_000;

let web: WebServer;
let browser: Browser;
let db: PrismaClient;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // No realtime server in this file: "Online now" must stay hidden and nothing else may break.
  const [w, b] = await Promise.allSettled([startWeb({ env: { REALTIME_PUBLIC_URL: "ws://localhost:1" } }), launchChromium()]);
  // keep whatever started, so afterAll stops it even when the other failed
  if (w.status === "fulfilled") web = w.value;
  if (b.status === "fulfilled") browser = b.value;
  if (w.status === "rejected") throw w.reason;
  if (b.status === "rejected") throw b.reason;
  db = createDb(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await Promise.allSettled([browser?.close(), web?.stop(), db?.$disconnect()]);
});

const uniqueEmail = () => `user-${randomUUID()}@example.test`;

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  return context.newPage();
}

/** Alerts of the page itself (Next's route announcer is an empty role="alert" too). */
const alerts = (page: Page) => page.locator("main [role=alert]");

async function register(page: Page, name: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${web.url}/register`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${web.url}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A signed-in account's new meeting, created through the home page; returns its code. */
async function createMeeting(page: Page): Promise<string> {
  await page.goto(`${web.url}/`);
  await page.getByRole("button", { name: "New meeting" }).click();
  await page.waitForURL(/\/m\/[a-z0-9]{8}$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

describe("accounts and meetings in the browser", () => {
  test("register, sign out, sign in, create a meeting, see it listed, sign out", async () => {
    const page = await newPage();
    const email = uniqueEmail();

    await register(page, "Ada Lovelace", email);
    await page.waitForURL(`${web.url}/`);
    await expect(page.getByRole("heading", { name: "Hello, Ada Lovelace" }).isVisible()).resolves.toBe(true);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);

    await signIn(page, email);
    await page.waitForURL(`${web.url}/`);
    await page.getByRole("heading", { name: "Hello, Ada Lovelace" }).waitFor();

    await page.getByRole("button", { name: "New meeting" }).click();
    await page.waitForURL(/\/m\/[a-z0-9]{8}$/);
    const code = new URL(page.url()).pathname.split("/").pop()!;
    await page.getByText(code, { exact: true }).waitFor();
    await expect(page.getByRole("heading", { name: "Ada Lovelace's meeting" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "End meeting" }).isVisible()).resolves.toBe(true);

    await page.goto(`${web.url}/`);
    const mine = page.getByRole("region", { name: "My meetings" });
    await mine.getByText(code).waitFor();
    await expect(mine.getByRole("link", { name: "Ada Lovelace's meeting" }).getAttribute("href")).resolves.toBe(`/m/${code}`);
    // the realtime server is unreachable here: the presence list stays hidden
    await expect(page.getByRole("region", { name: /Online now/ }).count()).resolves.toBe(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${web.url}/`);
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    await expect(page.getByRole("link", { name: "Create account" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Sign out" }).count()).resolves.toBe(0);
  });

  test("a wrong password is refused with a clear message", async () => {
    const page = await newPage();
    const email = uniqueEmail();
    await register(page, "Grace Hopper", email);
    await page.waitForURL(`${web.url}/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);

    await signIn(page, email, "not the password");
    await alerts(page).getByText("Wrong email or password.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  test("registering an email twice shows the error beside the email field", async () => {
    const email = uniqueEmail();
    const first = await newPage();
    await register(first, "First Person", email);
    await first.waitForURL(`${web.url}/`);

    const page = await newPage();
    await register(page, "Second Person", email);
    const error = alerts(page).getByText("An account with this email already exists");
    await error.waitFor();
    const emailField = page.getByLabel("Email");
    await expect(emailField.getAttribute("aria-invalid")).resolves.toBe("true");
    const errorId = await error.getAttribute("id");
    expect(errorId).toBeTruthy();
    await expect(emailField.getAttribute("aria-describedby")).resolves.toContain(errorId!);
    expect(new URL(page.url()).pathname).toBe("/register");
  });

  test("the join field checks meeting codes", async () => {
    const page = await newPage();
    await register(page, "Code Typist", uniqueEmail());
    await page.waitForURL(`${web.url}/`);
    await page.getByLabel("Meeting code").fill("not-a-code");
    await page.getByRole("button", { name: "Join", exact: true }).click();
    await alerts(page).getByText("A meeting code has 8 letters and digits").waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
  });

  test("a guest opens a meeting link, enters a name, joins and sees the meeting", async () => {
    const host = await newPage();
    await register(host, "Host Person", uniqueEmail());
    await host.waitForURL(`${web.url}/`);
    const code = await createMeeting(host);

    const guest = await newPage();
    await guest.goto(`${web.url}/m/${code}`);
    await guest.getByLabel("Your name").fill("Gus Guest");
    await guest.getByRole("button", { name: "Join now" }).click();
    await guest.getByRole("heading", { name: "Host Person's meeting" }).waitFor();
    await guest.getByText(code, { exact: true }).waitFor();
    await expect(guest.getByText("Host Person", { exact: true }).isVisible()).resolves.toBe(true);
    // only the host may end it
    await expect(guest.getByRole("button", { name: "End meeting" }).count()).resolves.toBe(0);

    // guests join meetings but do not host them
    await guest.goto(`${web.url}/`);
    await guest.getByRole("heading", { name: "Hello, Gus Guest" }).waitFor();
    await expect(guest.getByLabel("Meeting code").isVisible()).resolves.toBe(true);
    await expect(guest.getByRole("button", { name: "New meeting" }).count()).resolves.toBe(0);
    await expect(guest.getByRole("heading", { name: "My meetings" }).count()).resolves.toBe(0);
  });

  test("an unknown meeting code says so", async () => {
    const page = await newPage();
    const res = await page.goto(`${web.url}/m/zzzz2222`);
    expect(res?.status()).toBe(404);
    await page.getByRole("heading", { name: "No meeting with code zzzz2222" }).waitFor();
  });

  test("/admin: signed out goes to sign-in, non-admins get 403, admins see the console", async () => {
    const page = await newPage();
    await page.goto(`${web.url}/admin`);
    await page.waitForURL(/\/login\?callbackUrl=/);

    const email = uniqueEmail();
    await register(page, "Not An Admin", email);
    await page.waitForURL(`${web.url}/`);
    const res = await page.goto(`${web.url}/admin`);
    expect(res?.status()).toBe(403);
    await page.getByText("You need to be an administrator to see this page.").waitFor();
    await expect(page.getByRole("heading", { name: "Admin console" }).count()).resolves.toBe(0);

    await db.user.update({ where: { email }, data: { role: "ADMIN" } });
    const asAdmin = await page.goto(`${web.url}/admin`);
    expect(asAdmin?.status()).toBe(200);
    await page.getByRole("heading", { name: "Admin console" }).waitFor();
    await expect(page.getByRole("heading", { name: "Users", exact: true }).isVisible()).resolves.toBe(true);
    // this web server has no TURN_URLS/TURN_SECRET: the operator is told what that means
    await expect(page.getByTestId("turn-status").innerText()).resolves.toContain("TURN is not configured.");
  });
});

/// <reference lib="dom" />
// The admin console's moderation in real headless Chromium against a realtime node, the web app, PostgreSQL and
// Redis: an admin has /admin/reports open while two guests talk in random chat; one reports the other and the report
// appears in the queue without a reload (adminLive.reportQueue); the admin bans the reported device with a reason;
// that browser meets the ban at Start and appeals; the admin accepts the appeal in /admin/appeals; the browser
// starts again and is told once that its appeal was accepted. Every step is in the audit log.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser } from "../../../tests/harness/clients.ts";
import { newPage } from "./support/meetingPages.ts";
import { deviceIdOf, openRandom, panelState, startButton, uniqueName } from "./support/randomPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// many guests from one address after other files' guests in the same hour (the bucket is shared in Redis)
const stack = useMeetingStack({ webEnv: { RATE_LIMIT_GUESTS_PER_HOUR: "100000" } });
let db: PrismaClient;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await db?.$disconnect();
});

/** An account made an admin, signed in in its own browser context. */
async function adminPage(): Promise<{ page: Page; id: string }> {
  const admin = await newUser(stack.web.url, "Mo Moderator");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  return { page: await newPage(stack.browser, stack.contexts, admin.cookie), id: admin.id };
}

/** Counts the page's own navigations from now on (a reload or a link followed), to show a change came without one. */
function navigationsOf(page: Page): () => number {
  let count = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) count++;
  });
  return () => count;
}

describe("admin moderation", () => {
  test("report → live queue → device ban → ban at Start → appeal → accepted → Start again, told once; all audited", { timeout: 240_000 }, async () => {
    const admin = await adminPage();
    await admin.page.goto(`${stack.web.url}/admin/reports`);
    await admin.page.getByRole("heading", { name: "Reports", level: 1 }).waitFor();
    await admin.page.getByText("Live: new reports appear here by themselves.").waitFor();
    const adminNavigations = navigationsOf(admin.page);
    // a second moderator watches the same queue
    const other = await adminPage();
    await other.page.goto(`${stack.web.url}/admin/reports`);
    await other.page.getByText("Live: new reports appear here by themselves.").waitFor();

    const [annName, bobName] = [uniqueName("Ann"), uniqueName("Bob")];
    const ann = await openRandom(stack, annName, { textOnly: true });
    const bob = await openRandom(stack, bobName, { textOnly: true });
    await startButton(ann).click();
    await startButton(bob).click();
    await panelState(ann, "Connected", 40_000);
    await ann.getByRole("button", { name: `Report ${bobName}` }).click();
    await ann.getByLabel("Harassment").check();
    await ann.getByLabel("What happened (optional)").fill("kept insulting me");
    await ann.getByRole("button", { name: "Send report" }).click();
    await ann.locator("#random-safety-result", { hasText: "will not be matched with this person again" }).waitFor();

    // in the admin's queue, pushed: the page was neither reloaded nor left
    const card = admin.page.getByRole("listitem").filter({ has: admin.page.getByRole("heading", { name: `Harassment: ${bobName}, reported by ${annName}` }) });
    await card.waitFor({ timeout: 30_000 });
    expect(adminNavigations()).toBe(0);
    const bobDevice = await deviceIdOf(bob);
    await card.getByText(bobDevice).waitFor();
    await card.getByText("kept insulting me").waitFor();
    await other.page.getByRole("heading", { name: `Harassment: ${bobName}, reported by ${annName}` }).waitFor();

    // a ban without a reason is refused in place; the reason field has the focus
    await card.getByRole("button", { name: "Ban…" }).click();
    const reason = card.getByLabel("Reason");
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    await card.getByLabel("What to ban").selectOption("device");
    await card.getByLabel("For how long").selectOption({ label: "7 days" });
    await card.getByRole("button", { name: "Ban", exact: true }).click();
    await card.getByRole("alert").filter({ hasText: "Give a reason." }).waitFor();
    expect(await db.ban.count({ where: { value: bobDevice } })).toBe(0);
    await reason.fill("Insults in the chat");
    await card.getByRole("button", { name: "Ban", exact: true }).click();
    await admin.page.getByRole("status").filter({ hasText: "Banned: 1 report handled." }).waitFor();
    await card.waitFor({ state: "detached" });
    // the other moderator saw it come and go, live; had they acted at once they would have been told who was first
    await other.page.getByRole("heading", { name: `Harassment: ${bobName}, reported by ${annName}` }).waitFor({ state: "detached" });

    // Bob was taken out of the call; at Start he meets the ban with its reason, and appeals
    await bob.getByText("You were taken out of random chat by moderation.").waitFor();
    await startButton(bob).click();
    await bob.getByRole("heading", { name: "You are banned from random chat" }).waitFor();
    await expect(bob.locator("#random-ban-reason").innerText()).resolves.toBe("Insults in the chat");
    await bob.getByLabel("Appeal: why should the ban be lifted?").fill("My little brother typed that, I am sorry.");
    await bob.getByRole("button", { name: "Send appeal" }).click();
    await bob.locator("#random-appeal-pending").waitFor();

    // the appeal in /admin/appeals, with its ban and the report behind it
    await admin.page.getByRole("navigation", { name: "Admin console" }).getByRole("link", { name: "Appeals" }).click();
    const appeal = admin.page.getByRole("listitem").filter({ has: admin.page.getByRole("heading", { name: `Appeal by ${bobName} of a device ban` }) });
    await appeal.waitFor();
    await appeal.getByText("My little brother typed that, I am sorry.").waitFor();
    await appeal.getByText("Reason: Insults in the chat").waitFor();
    await appeal.getByText(new RegExp(`Harassment by ${annName}`)).waitFor();
    await appeal.getByLabel("Note").fill("First offence, credible explanation");
    await appeal.getByRole("button", { name: "Accept and lift ban" }).click();
    await admin.page
      .getByRole("status")
      .filter({ hasText: `Accepted: the ban on ${bobDevice} is lifted.` })
      .waitFor();

    // Bob starts again, and is told once
    await startButton(bob).click();
    await panelState(bob, "Searching");
    const told = bob.getByRole("status").filter({ has: bob.getByRole("heading", { name: "Your appeal was accepted" }) });
    await told.waitFor();
    await told.getByRole("button", { name: "OK, understood" }).click();
    await told.waitFor({ state: "detached" });
    await bob.reload();
    await startButton(bob).waitFor();
    await expect(bob.getByRole("heading", { name: "Your appeal was accepted" }).count()).resolves.toBe(0);

    // the audit log: the report, the ban, the appeal, its acceptance and the ban's lifting, each by whom and from where
    const report = await db.report.findFirstOrThrow({ where: { reportedDeviceId: bobDevice } });
    expect(report).toMatchObject({ status: "ACTIONED", resolvedById: admin.id, resolution: "Insults in the chat" });
    const ban = await db.ban.findFirstOrThrow({ where: { value: bobDevice } });
    expect(ban).toMatchObject({ kind: "DEVICE", issuedById: admin.id, liftedById: admin.id });
    const appealRow = await db.appeal.findFirstOrThrow({ where: { banId: ban.id } });
    expect(appealRow).toMatchObject({ status: "ACCEPTED", note: "First offence, credible explanation", decidedById: admin.id });
    const audit = await db.auditLog.findMany({
      where: { action: { startsWith: "moderation." }, targetId: { in: [report.reportedUserId, bobDevice, ban.id, appealRow.id] } },
      orderBy: { id: "asc" },
      select: { action: true, actorId: true, targetId: true, ip: true, data: true },
    });
    expect(audit.map((entry) => entry.action)).toEqual(["moderation.report", "moderation.ban", "moderation.appeal", "moderation.acceptAppeal", "moderation.liftBan"]);
    expect(audit[0]).toMatchObject({ actorId: report.reporterId, targetId: report.reportedUserId, data: expect.objectContaining({ reportId: report.id }) });
    expect(audit[1]).toMatchObject({
      actorId: admin.id,
      targetId: bobDevice,
      data: expect.objectContaining({ banId: ban.id, reason: "Insults in the chat", reportIds: [report.id] }),
    });
    expect(audit[2]).toMatchObject({ actorId: report.reportedUserId, targetId: ban.id });
    expect(audit[3]).toMatchObject({ actorId: admin.id, targetId: appealRow.id, data: expect.objectContaining({ note: "First offence, credible explanation" }) });
    expect(audit[4]).toMatchObject({ actorId: admin.id, targetId: ban.id, data: expect.objectContaining({ appealId: appealRow.id }) });
    for (const entry of audit) expect(entry.ip).toBeTruthy();
  });

  test("the queue, bans and appeals pages fit a phone: no sideways scrolling, every control named", { timeout: 120_000 }, async () => {
    const admin = await adminPage();
    // one row on each page, with the longest values they hold: an open report, an active ban, a waiting appeal
    const [reporter, reported] = await Promise.all(["Rae", "Sol"].map((name) => db.user.create({ data: { name: uniqueName(name), isGuest: true } })));
    const device = `phone-${"x".repeat(58)}`;
    await db.report.create({
      data: {
        matchId: randomUUID(),
        reporterId: reporter!.id,
        reportedUserId: reported!.id,
        reason: "SPAM",
        comment: "w".repeat(500),
        reporterDeviceId: `phone-${"r".repeat(58)}`,
        reportedDeviceId: device,
        reporterIp: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
        reportedIp: "2001:db8:1111:2222:3333:4444:5555:6666",
        reporterPriorReports: 0,
        reportedPriorReports: 2,
        reporterPriorFiled: 1,
      },
    });
    const ban = await db.ban.create({ data: { kind: "DEVICE", value: device, reason: "r".repeat(500), issuedById: admin.id } });
    await db.appeal.create({ data: { banId: ban.id, userId: reported!.id, message: "m".repeat(1000) } });
    await admin.page.setViewportSize({ width: 390, height: 844 });
    for (const [path, heading] of [
      ["/admin/reports", "Reports"],
      ["/admin/bans", "Bans"],
      ["/admin/appeals", "Appeals"],
    ] as const) {
      await admin.page.goto(`${stack.web.url}${path}`);
      await admin.page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await admin.page.getByText(/Loading/).waitFor({ state: "detached" });
      await admin.page.locator("main li").first().waitFor();
      const overflow = await admin.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
      // every button, field and select on the page has an accessible name
      const unnamed = await admin.page.evaluate(() =>
        [...document.querySelectorAll("main button, main input, main select, main textarea")]
          .filter((el) => {
            const labelled = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.id && document.querySelector(`label[for="${el.id}"]`));
            return !labelled && !(el.tagName === "BUTTON" && el.textContent?.trim());
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unnamed, path).toEqual([]);
    }
  });
});

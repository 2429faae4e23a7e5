/// <reference lib="dom" />
// /random's safety in real headless Chromium against a realtime node, the web app, PostgreSQL and Redis: a report
// from the call (confirmed, stored with the facts of the match, the two never matched again), a block just after a
// call, a ban met at Start with its appeal, a Next loop that makes the page solve the proof-of-work challenge before
// the person goes on, and Start pressed too often.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { guestCookie, matchRecordsOf, randomPerson, type RandomPerson } from "../../../tests/harness/randomChat.ts";
import { randomKeys } from "../../../packages/api/src/random/keys.ts";
import { RandomMatchStore } from "../../../packages/api/src/random/matchStore.ts";
import { deviceIdOf, nextButton, openRandom, panelState, partnerOf, readPanelState, startButton, stopButton, uniqueName } from "./support/randomPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// preferences widen after 1 s (any region and language after 2 s): "they stay searching" is checked fully widened
// many guests from one address, after other test files' guests in the same hour (the bucket is shared in Redis):
// a limit that refills within moments
const stack = useMeetingStack({ realtimeEnv: { RANDOM_WIDEN_MS: "1000" }, webEnv: { RATE_LIMIT_GUESTS_PER_HOUR: "100000" } });
let db: PrismaClient;
let redis: Redis;
const sockets: RealtimeConnection[] = [];

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
  redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 2 });
});

afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.close()));
  redis?.disconnect();
  await db?.$disconnect();
});

/** An account made an admin, on the web app's HTTP API (the admin console's admin.bans.* are served there). */
async function adminClient(): Promise<ReturnType<typeof webClient>> {
  const admin = await newUser(stack.web.url, "Ada Admin");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  return webClient(stack.web.url, admin.cookie);
}

describe("/random safety", () => {
  test("report from the call: confirmed, stored with the facts of the match, and the two are never matched again", { timeout: 180_000 }, async () => {
    const [annName, bobName, cyName] = [uniqueName("Ann"), uniqueName("Bob"), uniqueName("Cy")];
    const ann = await openRandom(stack, annName);
    const bob = await openRandom(stack, bobName);
    await startButton(ann).click();
    await startButton(bob).click();
    await panelState(ann, "Connected", 40_000);
    await panelState(bob, "Connected", 40_000);

    await ann.getByRole("button", { name: `Report ${bobName}` }).click();
    await ann.getByLabel("Harassment").check();
    await ann.getByLabel("What happened (optional)").fill("kept insulting me");
    await ann.getByRole("button", { name: "Send report" }).click();
    await ann.locator("#random-safety-result", { hasText: "will not be matched with this person again" }).waitFor();

    const [annDevice, bobDevice] = [await deviceIdOf(ann), await deviceIdOf(bob)];
    const report = await db.report.findFirstOrThrow({ where: { reporterDeviceId: annDevice } });
    const record = await new RandomMatchStore(redis).findMatch(report.matchId);
    expect(record, "the report names a match the server recorded").not.toBeNull();
    const [annSide, bobSide] = record!.a.deviceId === annDevice ? [record!.a, record!.b] : [record!.b, record!.a];
    expect(report).toMatchObject({
      reason: "HARASSMENT",
      comment: "kept insulting me",
      reporterId: annSide.userId,
      reportedUserId: bobSide.userId,
      reporterDeviceId: annDevice,
      reportedDeviceId: bobDevice,
      reporterIp: annSide.ip,
      reportedIp: bobSide.ip,
    });
    expect(bobSide.deviceId).toBe(bobDevice);
    expect(report.reporterIp).not.toBe("");

    // both leave; the memory of a recent pair is cleared, so only the report keeps them apart
    await stopButton(ann).click();
    await panelState(ann, "Not started");
    await panelState(bob, "Partner left");
    await stopButton(bob).click();
    await panelState(bob, "Not started");
    await redis.del(randomKeys.recentPair(annSide.userId, bobSide.userId));

    // only each other in the queue, fully widened: they stay searching
    await startButton(ann).click();
    await startButton(bob).click();
    for (const page of [ann, bob]) await page.locator("#random-widened", { hasText: "any region and language" }).waitFor();
    // a third person is matched instead, with one of them
    const cy = await openRandom(stack, cyName);
    await startButton(cy).click();
    await panelState(cy, "Connected", 40_000);
    const cyPartner = await partnerOf(cy);
    expect([annName, bobName]).toContain(cyPartner);
    expect(await readPanelState(cyPartner === annName ? bob : ann)).toBe("Searching");
    const annAndBob = (await matchRecordsOf(redis, new Set([annSide.userId]))).filter((r) => [r.a.userId, r.b.userId].includes(bobSide.userId));
    expect(annAndBob.map((r) => r.matchId)).toEqual([report.matchId]);
  });

  test("block right after the call ended: confirmed, and the two are not matched again", { timeout: 120_000 }, async () => {
    const [annName, bobName, cyName] = [uniqueName("Ann"), uniqueName("Bob"), uniqueName("Cy")];
    const ann = await openRandom(stack, annName, { textOnly: true });
    const bob = await openRandom(stack, bobName, { textOnly: true });
    await startButton(ann).click();
    await startButton(bob).click();
    await panelState(ann, "Connected");
    // Bob moves on; Ann blocks him from the call that just ended
    await nextButton(bob).click();
    await panelState(ann, "Partner left");
    await ann.getByRole("button", { name: `Block ${bobName}` }).click();
    await ann.locator("#random-safety-result", { hasText: "Blocked. You will not be matched with this person again." }).waitFor();
    const block = await db.randomBlock.findFirstOrThrow({ where: { blockerDeviceId: await deviceIdOf(ann) } });
    await redis.del(randomKeys.recentPair(block.blockerId, block.blockedId));

    // Bob searches; Ann presses Next too: fully widened, they stay apart, and a third person is matched instead
    await nextButton(ann).click();
    for (const page of [ann, bob]) await page.locator("#random-widened", { hasText: "any region and language" }).waitFor();
    const cy = await openRandom(stack, cyName, { textOnly: true });
    await startButton(cy).click();
    await panelState(cy, "Connected");
    expect([annName, bobName]).toContain(await partnerOf(cy));
    const records = await matchRecordsOf(redis, new Set([block.blockerId]));
    expect(records.filter((r) => [r.a.userId, r.b.userId].includes(block.blockedId)).map((r) => r.matchId)).toEqual([block.matchId]);
  });

  test("a banned device gets the ban notice at Start; its appeal is stored and shown pending; after the ban is lifted it can Start", { timeout: 120_000 }, async () => {
    const admin = await adminClient();
    const bea = await openRandom(stack, uniqueName("Bea"), { textOnly: true });
    const device = await deviceIdOf(bea);
    const { banId } = await admin.admin.bans.create.mutate({ kind: "device", value: device, reason: "Spam links in the chat", durationMinutes: 60 });

    await startButton(bea).click();
    await bea.getByRole("heading", { name: "You are banned from random chat" }).waitFor();
    await expect(bea.locator("#random-ban-reason").innerText()).resolves.toBe("Spam links in the chat");
    await expect(bea.getByText(/Banned until/).count()).resolves.toBe(1);
    expect(await readPanelState(bea)).toBe("Not started");

    const message = "I shared one link to my own music project; I will not do it again.";
    await bea.getByLabel("Appeal: why should the ban be lifted?").fill(message);
    await bea.getByRole("button", { name: "Send appeal" }).click();
    await bea.locator("#random-appeal-pending").waitFor();
    const appeal = await db.appeal.findFirstOrThrow({ where: { banId } });
    expect(appeal).toMatchObject({ message, status: "PENDING" });

    // pressed again after a reload: the notice says the appeal waits, no second form
    await bea.reload();
    await startButton(bea).click();
    await bea.locator("#random-appeal-pending").waitFor();
    await expect(bea.getByRole("button", { name: "Send appeal" }).count()).resolves.toBe(0);

    await admin.admin.bans.lift.mutate({ banId, reason: "One link to their own project: a warning is enough" });
    await startButton(bea).click();
    await panelState(bea, "Searching");
    await expect(bea.getByRole("heading", { name: "You are banned from random chat" }).count()).resolves.toBe(0);
  });

  test("a rapid Next loop: the challenge is required, the page solves it and the person is matched again", { timeout: 240_000 }, async () => {
    const preferences = { region: "europe" as const, language: "en", interests: [], textOnly: true };
    // partners on plain sockets, each pressing Start just before the person's next press
    const bots: RandomPerson[] = [];
    for (let i = 0; i < 16; i++) {
      const name = uniqueName(`Bot${i}`);
      const bot = await randomPerson({ wsUrl: stack.realtime.wsUrl, origin: stack.web.url, cookie: await guestCookie(stack.web.url, name), name });
      sockets.push(bot.connection);
      bots.push(bot);
    }
    const ann = await openRandom(stack, uniqueName("Ann"), { textOnly: true });
    await ann.evaluate(() => {
      const w = window as unknown as { __sawSolving: boolean };
      w.__sawSolving = false;
      new MutationObserver(() => {
        if (document.querySelector('progress[aria-label="Solving the check"]')) w.__sawSolving = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    const sawSolving = () => ann.evaluate(() => (window as unknown as { __sawSolving: boolean }).__sawSolving);

    await startButton(ann).click();
    await panelState(ann, "Searching");
    let presses = 0;
    for (const bot of bots) {
      await bot.client.random.start.mutate({ deviceId: bot.deviceId, preferences });
      if (presses > 0) await nextButton(ann).click();
      presses++;
      await ann.locator("#random-state", { hasText: /^Connected$/ }).waitFor({ timeout: 60_000 });
      await ann.getByRole("region", { name: "Connection" }).getByText(bot.name).waitFor({ timeout: 60_000 });
      if (await sawSolving()) break;
    }
    expect(await sawSolving(), `the challenge after ${presses - 1} quick Nexts`).toBe(true);
    expect(presses).toBeLessThan(bots.length + 1);
    const watch = await db.watchEntry.findFirst({ where: { kind: "DEVICE", value: await deviceIdOf(ann) } });
    expect(watch).not.toBeNull();
    console.log(`[random] challenge after ${presses - 1} Nexts; matched again with ${await partnerOf(ann)}`);
  });

  test("Start and Stop pressed over and over: the press is refused with a clear message saying how long to wait", { timeout: 180_000 }, async () => {
    const eve = await openRandom(stack, uniqueName("Eve"), { textOnly: true });
    const refusal = eve.getByRole("alert").filter({ hasText: "Too many Start and Next presses" });
    let presses = 0;
    // the device's bucket holds 20 Starts a minute (moderation/policy.ts): the refusal comes within 30 presses
    while (presses < 30) {
      await startButton(eve).click();
      presses++;
      await Promise.race([panelState(eve, "Searching"), refusal.waitFor()]);
      if (await refusal.count()) break;
      await stopButton(eve).click();
      await panelState(eve, "Not started");
    }
    await expect(refusal.innerText()).resolves.toMatch(/^Too many Start and Next presses\. Try again in \d+ seconds\.$/);
    expect(await readPanelState(eve)).toBe("Not started");
    console.log(`[random] Start refused at press ${presses}`);
  });
});

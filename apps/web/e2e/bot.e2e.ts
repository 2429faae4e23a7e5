/// <reference lib="dom" />
// A bot (packages/client's MeetingBot, with an API token) in a meeting of two people in headless Chromium: the
// people's P2P mesh moves to the SFU when it joins, both still see each other, both show it with a "Bot" badge in
// the participant list and on its tile, and they hear its tone.
import { afterEach, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { MeetingBot, toneInput } from "../../../packages/client/src/bot/index.ts";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { recordPeerConnections } from "../../../tests/harness/peerConnections.ts";
import { expectDecoding, join, newPage, poll, topology } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack({ chromiumArgs: ["--autoplay-policy=no-user-gesture-required"] });
const sockets: RealtimeConnection[] = [];
const bots: MeetingBot[] = [];

afterEach(async () => {
  await Promise.allSettled(bots.splice(0).map((bot) => bot.close()));
  await Promise.allSettled(sockets.splice(0).map((socket) => socket.close()));
});

/** The loudest audio the page receives now (0 is silence), over all its connections. */
const loudestAudio = (page: Page) =>
  page.evaluate(async () => {
    let level = 0;
    for (const { pc } of window.__peerConnections ?? []) {
      for (const report of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
        if (report.type === "inbound-rtp" && report.kind === "audio") level = Math.max(level, Number(report.audioLevel ?? 0));
      }
    }
    return level;
  });

test("a bot joining two people on a P2P mesh moves them to the SFU; both see each other, show it as a bot and hear it", { timeout: 180_000 }, async () => {
  const { web, realtime, browser, contexts } = stack;
  const host = await newUser(web.url, "Hana Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Bot e2e", maxParticipants: 5, p2pMaxParticipants: 3 });
  const a = await newPage(browser, contexts, host.cookie);
  const b = await newPage(browser, contexts);
  for (const page of [a, b]) await recordPeerConnections(page);
  await join(a, web.url, meeting.code);
  await join(b, web.url, meeting.code, "Bea Guest");
  await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
  expect((await topology(a)).mode).toBe("P2P");
  // the people's microphones go quiet: what is heard after this is the bot
  for (const page of [a, b]) await page.getByRole("toolbar", { name: "Meeting controls" }).getByRole("button", { name: "Mute", exact: true }).click();

  const owner = await newUser(web.url, "Bot Owner");
  const { secret } = await webClient(web.url, owner.cookie).apiTokens.create.mutate({ name: "e2e bot", scopes: ["meetings:join"], expiresAt: new Date(Date.now() + 3_600_000) });
  const socket = realtimeClient(realtime.wsUrl, { authorization: `Bearer ${secret}` });
  sockets.push(socket);
  const bot = new MeetingBot(socket.client, { name: "Beep Bot" });
  bots.push(bot);
  await bot.join(meeting.code);
  await bot.playFile({ ffmpegInput: toneInput(60) });

  for (const page of [a, b]) {
    await poll("the meeting on the SFU", async () => (await topology(page)).mode === "SFU" && (await topology(page)).sfu, 30_000);
    const row = page.getByRole("list", { name: "People in the meeting" }).getByRole("listitem").filter({ hasText: "Beep Bot" });
    await row.getByText("Bot", { exact: true }).waitFor();
    // the bot's tile (it sends no camera: its initials) carries the badge too
    await page.getByRole("img", { name: "Beep Bot, camera off" }).locator("xpath=..").getByText("Bot", { exact: true }).waitFor();
    const level = await poll("the bot's tone heard", async () => {
      const loudest = await loudestAudio(page);
      return loudest > 0.001 ? loudest : null;
    });
    expect(level).toBeGreaterThan(0.001);
  }
  // both people still see each other, now through the SFU
  await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
});

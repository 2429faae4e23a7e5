/// <reference lib="dom" />
// Script injection through every text people write that others see, rendered in Chromium: display names (accounts
// and guests), meeting titles, group names and chat messages (DMs, groups, a meeting's chat). Each payload calls
// `__xss(...)`, which every page defines before its own scripts run; a payload that runs records itself there
// (and `alert` would open a dialog, also recorded). The test asserts that nothing ran, that each payload is
// on screen as the text it was, and that no `javascript:` link was made. Report comments do not exist yet: when
// they do, their text belongs in this file too.
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { newUser, realtimeClient, signIn, webClient } from "../../../tests/harness/clients.ts";
import { conversationItem, conversationList, messageLog, unique } from "./support/chatPages.ts";
import { join, newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack({ realtimeEnv: { RATE_LIMIT_CHAT_PER_10S: "1000" } });

/** Short enough for a display name (80 characters) with a unique tag after it. */
const PAYLOADS = [
  `<script>__xss('script')</script>`,
  `<img src=x onerror=__xss('img')>`,
  `"><svg onload=__xss('svg')>`,
  `javascript:__xss('url')`,
  `[click me](javascript:__xss('md'))`,
  `<a href="javascript:__xss('a')">link</a>`,
  `https://example.com/"onmouseover="__xss('attr')`,
  `<iframe srcdoc="<script>parent.__xss('srcdoc')</script>">`,
];

/** A page whose payload hook and dialogs are recorded; `hits()` answers what ran on it. */
async function watchedPage(cookie?: string) {
  const page = await newPage(stack.browser, stack.contexts, cookie);
  await page.context().addInitScript(() => {
    const hits: string[] = [];
    Object.assign(window, { __xssHits: hits, __xss: (where: unknown) => hits.push(String(where)) });
  });
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return {
    page,
    async hits() {
      const ran = await page.evaluate(() => (window as unknown as { __xssHits?: string[] }).__xssHits ?? ["(the hook is missing)"]);
      return { ran, dialogs };
    },
  };
}

/** Nothing ran, no element or link a payload describes exists, and each text is on screen as it was written. */
async function expectShownAsText(watched: Awaited<ReturnType<typeof watchedPage>>, texts: string[]) {
  const { page } = watched;
  // all at once: a text rendered as markup never shows, and the report should still say what ran
  const waits = await Promise.allSettled(texts.map((text) => page.getByText(text, { exact: false }).first().waitFor()));
  const notShown = texts.filter((_, i) => waits[i]!.status === "rejected");
  // hovering every link gives an injected onmouseover its chance
  for (const link of await page.locator("a:visible").all()) await link.hover({ timeout: 2000 }).catch(() => undefined);
  const injected = await page.locator('a[href^="javascript:" i], img[src="x"], svg[onload], iframe[srcdoc], [onmouseover]').count();
  expect({ ...(await watched.hits()), injected, notShown }).toEqual({ ran: [], dialogs: [], injected: 0, notShown: [] });
}

const tagged = (payload: string) => `${payload} ${unique("x")}`;

async function sendAll(cookie: string, conversationId: string, bodies: string[]) {
  const connection = realtimeClient(stack.realtime.wsUrl, { cookie, origin: stack.web.url });
  try {
    for (const body of bodies) await connection.client.chat.send.mutate({ conversationId, clientId: randomUUID(), body });
  } finally {
    await connection.close();
  }
}

describe("hostile text is shown as text", () => {
  test("display names, group names and messages on /chat; meeting titles on the home page and a meeting's page", { timeout: 180_000 }, async () => {
    const names = PAYLOADS.map(tagged);
    const titles = PAYLOADS.map(tagged);
    const bodies = PAYLOADS.map(tagged);
    const reader = await newUser(stack.web.url, unique("Reader"));
    const writers = await Promise.all(names.map((name) => newUser(stack.web.url, name)));
    const [first] = writers;

    // a group per title, each with every writer, and each writer's messages in the first group
    const groups = [];
    for (const title of titles)
      groups.push(await webClient(stack.web.url, first!.cookie).chat.createGroup.mutate({ title, memberIds: [reader.id, ...writers.slice(1).map((w) => w.id)] }));
    await sendAll(first!.cookie, groups[0]!.id, bodies);
    for (const writer of writers.slice(1)) await sendAll(writer.cookie, groups[0]!.id, [`hello from ${writer.id}`]);
    // a DM's title is the other person's name
    for (const writer of writers) await webClient(stack.web.url, writer.cookie).chat.createDirect.mutate({ userId: reader.id });

    const chat = await watchedPage(reader.cookie);
    await chat.page.goto(`${stack.web.url}/chat?c=${groups[0]!.id}`);
    await conversationList(chat.page).waitFor();
    for (const body of bodies) await messageLog(chat.page).getByText(body, { exact: true }).waitFor();
    for (const name of names) await messageLog(chat.page).getByText(name, { exact: true }).first().waitFor();
    for (const title of [...titles, ...names]) await conversationItem(chat.page, title).first().waitFor();
    await expectShownAsText(chat, [...bodies, ...titles, ...names]);

    // meeting titles: the host's home page lists them, a visitor's meeting page shows one
    const meetings = [];
    for (const title of titles) meetings.push(await webClient(stack.web.url, first!.cookie).meeting.create.mutate({ title }));
    const home = await watchedPage(first!.cookie);
    await home.page.goto(`${stack.web.url}/`);
    await home.page.getByRole("heading", { name: "My meetings" }).waitFor();
    await expectShownAsText(home, titles);
    for (const meeting of meetings.slice(0, 3)) {
      const visitor = await watchedPage(reader.cookie);
      await visitor.page.goto(`${stack.web.url}/m/${meeting.code}`);
      await expectShownAsText(visitor, [meeting.title]);
    }
  });

  test("in a meeting: a guest's name in the participant list and the meeting's chat", { timeout: 180_000 }, async () => {
    const host = await newUser(stack.web.url, unique("Host"));
    const title = tagged(PAYLOADS[2]!);
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title });
    const guestName = tagged(PAYLOADS[1]!);
    const hostPage = await watchedPage(host.cookie);
    await join(hostPage.page, stack.web.url, meeting.code);
    const guestPage = await watchedPage();
    await join(guestPage.page, stack.web.url, meeting.code, guestName);

    // the guest writes in the meeting's chat over its own session
    const guest = await signIn(stack.web.url, { name: tagged(PAYLOADS[0]!) }, "guest");
    const connection = realtimeClient(stack.realtime.wsUrl, { cookie: guest.cookie, origin: stack.web.url });
    const bodies = PAYLOADS.map(tagged);
    try {
      const joined = await connection.client.room.join.mutate({ code: meeting.code });
      const conversation = await connection.client.chat.meetingConversation.mutate({ meetingId: joined.meeting.id });
      for (const body of bodies) await connection.client.chat.send.mutate({ conversationId: conversation.id, clientId: randomUUID(), body });
      await openMeetingChat(hostPage.page);
      const people = hostPage.page.getByRole("list", { name: "People in the meeting" });
      // the name, then "guest" beside it
      await people.getByText(guestName).first().waitFor();
      await expectShownAsText(hostPage, [title, guestName, ...bodies]);
      await expectShownAsText(guestPage, [title]);
    } finally {
      await connection.close();
    }
  });
});

/** Shows the meeting's chat beside the videos (a wide window may show it already). */
async function openMeetingChat(page: Page) {
  const panel = page.getByRole("complementary", { name: "Participants and chat" });
  if (await panel.getByRole("log", { name: "Chat messages" }).count()) return;
  await page.getByRole("toolbar", { name: "Meeting controls" }).getByRole("button", { name: /^Chat/ }).click();
  await panel.getByRole("log", { name: "Chat messages" }).waitFor();
}

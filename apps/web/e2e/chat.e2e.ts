/// <reference lib="dom" />
// /chat in real Chromium pages against real web and realtime servers: direct messages with typing, receipts and
// unread counts; a group of three where a removed member loses access at once; hostile text shown as text; and
// a message written while the realtime socket is down, kept and sent once it is back.
import { describe, expect, test } from "vitest";
import { newUser, realtimeClient, webClient } from "../../../tests/harness/clients.ts";
import { conversationItem, messageLog, openDirectWith, sendMessage, unique } from "./support/chatPages.ts";
import { join, newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// the history test writes a few pages of messages quickly
/** for both servers: the chat API runs in each */
const SERVER_ENV = { RATE_LIMIT_CHAT_PER_10S: "1000" };
const stack = useMeetingStack({ realtimeEnv: SERVER_ENV, webEnv: SERVER_ENV });

const chatPage = async (cookie: string, path = "/chat") => {
  const page = await newPage(stack.browser, stack.contexts, cookie);
  await page.goto(`${stack.web.url}${path}`);
  await page.getByRole("heading", { name: "Chat", exact: true }).waitFor();
  return page;
};

describe("chat", () => {
  test("two people: direct message, typing indicator, the message arrives, Seen by, unread count clears", { timeout: 120_000 }, async () => {
    const annName = unique("Ann");
    const bobName = unique("Bob");
    const [ann, bob] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName)]);
    const a = await chatPage(ann.cookie);
    const b = await chatPage(bob.cookie);

    await openDirectWith(a, bobName);
    await sendMessage(a, "Hello Bob, see https://example.com/docs");
    await messageLog(a).getByText("Hello Bob, see").waitFor();

    // Bob's open page: a toast (the conversation is not on screen), and the conversation with one unread
    // message and its preview
    await b.getByRole("status").filter({ hasText: annName }).filter({ hasText: "Hello Bob, see" }).waitFor();
    const item = conversationItem(b, annName);
    await item.getByText("1 unread").waitFor();
    await item.getByText("Hello Bob, see https://example.com/docs").waitFor();

    await item.click();
    const log = messageLog(b);
    await log.getByText("Hello Bob, see").waitFor();
    const link = log.getByRole("link", { name: "https://example.com/docs" });
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    // opened: read, so the count clears and Ann sees the receipt
    await item.getByText("1 unread").waitFor({ state: "detached" });
    await messageLog(a).getByText(`Seen by ${bobName}`).waitFor();

    // typing shows on the other side only, and goes away when the message arrives
    await b.getByRole("textbox", { name: "Message" }).pressSequentially("Hi Ann", { delay: 30 });
    await a.getByText(`${bobName} is typing…`).waitFor();
    expect(await b.getByText(`${bobName} is typing…`).count()).toBe(0);
    await b.getByRole("button", { name: "Send" }).click();
    await messageLog(a).getByText("Hi Ann").waitFor();
    await a.getByText(`${bobName} is typing…`).waitFor({ state: "detached" });
    await messageLog(b).getByText(`Seen by ${annName}`).waitFor();
    // CHAT_SCREENSHOTS=dir saves both sides to look at the layout
    const shots = process.env.CHAT_SCREENSHOTS;
    if (shots) {
      await Promise.all([a.screenshot({ path: `${shots}/chat-ann.png` }), b.screenshot({ path: `${shots}/chat-bob.png` })]);
      await b.setViewportSize({ width: 390, height: 760 });
      await b.screenshot({ path: `${shots}/chat-bob-phone.png` });
      await b.setViewportSize({ width: 1280, height: 720 });
    }

    // edit and delete your own message: both sides see it marked
    const own = messageLog(b).getByRole("listitem").filter({ hasText: "Hi Ann" });
    await own.getByRole("button", { name: "Edit" }).click();
    await b.getByRole("textbox", { name: "Message" }).fill("Hi Ann, edited");
    await b.getByRole("button", { name: "Save" }).click();
    await messageLog(a).getByRole("listitem").filter({ hasText: "Hi Ann, edited" }).getByText("(edited)").waitFor();
    b.once("dialog", (d) => void d.accept());
    await messageLog(b).getByRole("listitem").filter({ hasText: "Hi Ann, edited" }).getByRole("button", { name: "Delete" }).click();
    await messageLog(a).getByText("This message was deleted").waitFor();
    expect(await messageLog(a).getByText("Hi Ann, edited").count()).toBe(0);

    // after a reload the history is all there, in order, once
    await a.reload();
    await messageLog(a).getByText("Hello Bob, see").waitFor();
    await messageLog(a).getByText("This message was deleted").waitFor();
    expect(await messageLog(a).getByText("Hello Bob, see").count()).toBe(1);
  });

  test("a group of three; a removed member loses the conversation at once and cannot read it", { timeout: 120_000 }, async () => {
    const [annName, bobName, catName, title] = [unique("Ann"), unique("Bob"), unique("Cat"), unique("Team")];
    const [ann, bob, cat] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName), newUser(stack.web.url, catName)]);
    const a = await chatPage(ann.cookie);
    const b = await chatPage(bob.cookie);
    const c = await chatPage(cat.cookie);

    await a.getByRole("button", { name: "New conversation" }).click();
    const dialog = a.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Group").check();
    await dialog.getByLabel("Group name").fill(title);
    for (const name of [bobName, catName]) {
      await dialog.getByLabel("Add people").fill(name);
      await dialog.getByRole("button", { name: `Add ${name}` }).click();
    }
    await dialog.getByRole("button", { name: "Create group" }).click();
    await a.getByRole("region", { name: title }).waitFor();
    await sendMessage(a, "Hello team");

    for (const page of [b, c]) {
      await conversationItem(page, title).click();
      await messageLog(page).getByText("Hello team").waitFor();
    }
    await sendMessage(c, "Hi from Cat");
    await messageLog(a).getByText("Hi from Cat").waitFor();
    await messageLog(b).getByText("Hi from Cat").waitFor();
    const conversationId = new URL(c.url()).searchParams.get("c")!;
    expect(conversationId).toBeTruthy();

    // Ann (admin) removes Cat: gone from Cat's open page, and the history is refused
    await a.getByRole("button", { name: "Members" }).click();
    await a.getByRole("button", { name: `Remove ${catName}` }).click();
    await c.getByText("You are no longer a member of this conversation.").waitFor();
    await conversationItem(c, title).waitFor({ state: "detached" });
    expect(await messageLog(c).count()).toBe(0);
    await expect(webClient(stack.web.url, cat.cookie).chat.history.query({ conversationId })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });

    await sendMessage(a, "After Cat left");
    await messageLog(b).getByText("After Cat left").waitFor();
    await c.goto(`${stack.web.url}/chat?c=${conversationId}`);
    await c.getByText("This conversation is not available.").waitFor();
    expect(await c.getByText("After Cat left").count()).toBe(0);
  });

  test("HTML in messages, names and group titles is shown as text", { timeout: 120_000 }, async () => {
    const evilName = `<img src=x onerror="window.__xss='name'">${unique("Eve")}`;
    const evilTitle = `<script>window.__xss='title'</script><b>${unique("Team")}</b>`;
    const evilBody = `<img src=x onerror="window.__xss='body'"> <a href="javascript:window.__xss='link'">click</a> javascript:alert(1) <b>bold</b>`;
    const [eve, bob] = await Promise.all([newUser(stack.web.url, evilName), newUser(stack.web.url, unique("Bob"))]);
    const api = webClient(stack.web.url, eve.cookie);
    const group = await api.chat.createGroup.mutate({ title: evilTitle, memberIds: [bob.id] });

    const b = await chatPage(bob.cookie);
    const dialogs: string[] = [];
    b.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await conversationItem(b, evilTitle).click();
    const e = await chatPage(eve.cookie, `/chat?c=${group.id}`);
    e.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await sendMessage(e, evilBody);

    await messageLog(b).getByText(evilBody, { exact: true }).waitFor();
    await messageLog(b).getByText(evilName, { exact: true }).waitFor();
    await b.getByRole("heading", { name: evilTitle }).waitFor();
    // the direct conversation shows the name as its title
    const dm = await webClient(stack.web.url, bob.cookie).chat.createDirect.mutate({ userId: eve.id });
    await b.goto(`${stack.web.url}/chat?c=${dm.id}`);
    await b.getByRole("heading", { name: evilName }).waitFor();
    await conversationItem(b, evilTitle).waitFor();

    for (const page of [b, e]) {
      expect(await page.locator("img[src=x], main script, main b").count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null)).toBeNull();
    }
    expect(dialogs).toEqual([]);
  });

  test("a message sent while the realtime socket is down is kept, shown as not sent, and goes out once when it is back", { timeout: 150_000 }, async () => {
    const [annName, bobName] = [unique("Ann"), unique("Bob")];
    const [ann, bob] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName)]);
    const dm = await webClient(stack.web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
    const a = await chatPage(ann.cookie, `/chat?c=${dm.id}`);
    const b = await chatPage(bob.cookie, `/chat?c=${dm.id}`);
    await sendMessage(a, "Before the outage");
    await messageLog(b).getByText("Before the outage").waitFor();

    await stack.restartRealtime(async () => {
      await sendMessage(a, "Written during the outage");
      const pending = messageLog(a).getByRole("listitem").filter({ hasText: "Written during the outage" });
      await pending.getByText("Not sent, retrying").waitFor();
      // a reload keeps it (localStorage)
      await a.reload();
      await messageLog(a).getByRole("listitem").filter({ hasText: "Written during the outage" }).getByText("Not sent, retrying").waitFor();
    });
    await messageLog(b).getByText("Written during the outage").waitFor({ timeout: 60_000 });
    await messageLog(a).getByText("Not sent, retrying").waitFor({ state: "detached", timeout: 60_000 });
    expect(await messageLog(a).getByText("Written during the outage").count()).toBe(1);
    expect(await messageLog(b).getByText("Written during the outage").count()).toBe(1);
    await b.reload();
    await messageLog(b).getByText("Written during the outage").waitFor();
    expect(await messageLog(b).getByText("Written during the outage").count()).toBe(1);
  });
});

describe("history", () => {
  test("the newest page first, older pages on scrolling up; search within the conversation; reply", { timeout: 120_000 }, async () => {
    const [annName, bobName] = [unique("Ann"), unique("Bob")];
    const [ann, bob] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName)]);
    const dm = await webClient(stack.web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
    const socket = realtimeClient(stack.realtime.wsUrl, { cookie: ann.cookie, origin: stack.web.url });
    try {
      for (let i = 1; i <= 120; i++) {
        await socket.client.chat.send.mutate({ conversationId: dm.id, clientId: `history-${dm.id}-${i}`, body: `Numbered message ${i}.` });
      }
    } finally {
      await socket.close();
    }

    const b = await chatPage(bob.cookie, `/chat?c=${dm.id}`);
    const log = messageLog(b);
    await log.getByText("Numbered message 120.").waitFor();
    expect(await log.getByText("Numbered message 1.", { exact: true }).count()).toBe(0);
    // scrolling to the top loads the older pages, in order, each message once
    const shown = log.locator("li p.whitespace-pre-wrap");
    for (let page = 0; page < 3 && (await log.getByText("Numbered message 1.", { exact: true }).count()) === 0; page++) {
      const before = await shown.count();
      await log.evaluate((el) => el.scrollTo({ top: 0 }));
      await expect.poll(() => shown.count(), { timeout: 20_000 }).toBeGreaterThan(before);
    }
    await log.getByText("Numbered message 1.", { exact: true }).waitFor();
    const bodies = await log.locator("li p.whitespace-pre-wrap").allInnerTexts();
    expect(bodies).toEqual(Array.from({ length: 120 }, (_, i) => `Numbered message ${i + 1}.`));

    await b.getByRole("button", { name: "Search" }).click();
    await b.getByLabel("Search messages").fill("message 17");
    const results = b.getByRole("list", { name: "Search results" });
    await results.getByText("Numbered message 17.").waitFor();
    expect(await results.getByRole("listitem").count()).toBe(1);

    await log.getByRole("listitem").filter({ hasText: "Numbered message 42." }).getByRole("button", { name: /Reply/ }).click();
    await sendMessage(b, "About 42");
    const reply = log.getByRole("listitem").filter({ hasText: "About 42" });
    await reply.locator("blockquote").getByText("Numbered message 42.").waitFor();
  });
});

describe("meeting chat", () => {
  test("the meeting's chat panel is persisted: there after rejoining, and readable on /chat afterwards", { timeout: 180_000 }, async () => {
    const [hostName, guestName, title] = [unique("Hana"), unique("Gus"), unique("Standup")];
    const [host, other] = await Promise.all([newUser(stack.web.url, hostName), newUser(stack.web.url, guestName)]);
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title, maxParticipants: 10, p2pMaxParticipants: 3 });
    const a = await newPage(stack.browser, stack.contexts, host.cookie);
    const b = await newPage(stack.browser, stack.contexts, other.cookie);
    await join(a, stack.web.url, meeting.code);
    await join(b, stack.web.url, meeting.code);

    await a.getByRole("textbox", { name: "Message" }).fill("Agenda: https://example.com/agenda <b>1</b>");
    await a.getByRole("button", { name: "Send" }).click();
    const chatLog = (page: typeof a) => page.getByRole("log", { name: "Chat messages" });
    await chatLog(b).getByText("Agenda: https://example.com/agenda <b>1</b>").waitFor();
    await chatLog(b).getByRole("link", { name: "https://example.com/agenda" }).waitFor();

    // rejoining shows what was said before
    await join(b, stack.web.url, meeting.code);
    await chatLog(b).getByText("Agenda: https://example.com/agenda <b>1</b>").waitFor();

    await b.goto(`${stack.web.url}/chat`);
    await conversationItem(b, title).click();
    await messageLog(b).getByText("Agenda: https://example.com/agenda <b>1</b>").waitFor();
  });
});

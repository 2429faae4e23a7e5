/// <reference lib="dom" />
// Calls from a direct conversation in real Chromium pages: the callee's page rings (overlay on any page), Accept
// puts both in the call's meeting seeing each other's video; Decline, an unanswered call and the caller's Cancel
// leave "Declined", "Missed" and "Cancelled" entries in the conversation. CALL_RING_TIMEOUT_MS shortens the ringing.
import { describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { messageLog, unique } from "./support/chatPages.ts";
import { connectionState, expectDecoding, newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const RING_MS = 6000;

/** for both servers: the chat API runs in each */
const SERVER_ENV = { CALL_RING_TIMEOUT_MS: String(RING_MS) };
const stack = useMeetingStack({ realtimeEnv: SERVER_ENV, webEnv: SERVER_ENV });

async function twoPeopleInADirectConversation() {
  const [callerName, calleeName] = [unique("Cora"), unique("Carl")];
  const [caller, callee] = await Promise.all([newUser(stack.web.url, callerName), newUser(stack.web.url, calleeName)]);
  const dm = await webClient(stack.web.url, caller.cookie).chat.createDirect.mutate({ userId: callee.id });
  const open = async (cookie: string, path: string): Promise<Page> => {
    const page = await newPage(stack.browser, stack.contexts, cookie);
    await page.goto(`${stack.web.url}${path}`);
    return page;
  };
  const a = await open(caller.cookie, `/chat?c=${dm.id}`);
  await a.getByRole("button", { name: "Video call" }).waitFor();
  return { callerName, calleeName, dm, a, open: (path: string) => open(callee.cookie, path) };
}

const incomingCall = (page: Page) => page.getByRole("alertdialog");

async function meetingCodeAfterCalling(page: Page, button: "Audio call" | "Video call"): Promise<string> {
  await page.getByRole("button", { name: button }).click();
  await page.waitForURL(/\/m\/[a-z0-9]{8}/);
  return new URL(page.url()).pathname.split("/").at(-1)!;
}

describe("calls from a conversation", () => {
  test("a video call rings the callee on another page; Accept: both see each other's video", { timeout: 180_000 }, async () => {
    const { callerName, a, open } = await twoPeopleInADirectConversation();
    // the callee is on the home page, not in the chat
    const b = await open("/");
    await b.getByRole("link", { name: "Chat", exact: true }).waitFor();

    const code = await meetingCodeAfterCalling(a, "Video call");
    const overlay = incomingCall(b);
    await overlay.getByText(callerName).first().waitFor();
    await overlay.getByText("Incoming video call").waitFor();
    await overlay.getByRole("button", { name: "Accept" }).click();
    await b.waitForURL(new RegExp(`/m/${code}`));
    expect(await incomingCall(b).count()).toBe(0);
    await a.getByRole("button", { name: "Cancel call" }).waitFor({ state: "detached" });

    // placing and accepting the call joined both: no pre-join screen, no second click
    await Promise.all([connectionState(a, "Connected", 40_000), connectionState(b, "Connected", 40_000)]);
    expect(await b.getByRole("button", { name: "Join now" }).count()).toBe(0);
    await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
  });

  test("Decline stops the ringing and the conversation shows a declined call", { timeout: 120_000 }, async () => {
    const { dm, a, open } = await twoPeopleInADirectConversation();
    const b = await open(`/chat?c=${dm.id}`);
    await messageLog(b).waitFor();

    await meetingCodeAfterCalling(a, "Audio call");
    await a.getByRole("button", { name: "Cancel call" }).waitFor();
    await incomingCall(b).getByRole("button", { name: "Decline" }).click();
    await incomingCall(b).waitFor({ state: "detached" });
    await messageLog(b)
      .getByText(/Declined audio call/)
      .waitFor();
    // the caller, waiting in the call's meeting, is told
    await a.getByText(/declined the call\./).waitFor();
    expect(await a.getByRole("button", { name: "Cancel call" }).count()).toBe(0);

    await a.goto(`${stack.web.url}/chat?c=${dm.id}`);
    await messageLog(a)
      .getByText(/Declined audio call/)
      .waitFor();
  });

  test("an unanswered call stops ringing after the timeout and shows as missed", { timeout: 120_000 }, async () => {
    const { dm, a, open } = await twoPeopleInADirectConversation();
    const b = await open(`/chat?c=${dm.id}`);
    await messageLog(b).waitFor();

    await meetingCodeAfterCalling(a, "Video call");
    await incomingCall(b).waitFor();
    // nobody answers: the server gives up after CALL_RING_TIMEOUT_MS
    await incomingCall(b).waitFor({ state: "detached", timeout: RING_MS + 20_000 });
    await messageLog(b)
      .getByText(/Missed video call/)
      .waitFor();
    await a.getByText(/No answer from/).waitFor();

    await a.goto(`${stack.web.url}/chat?c=${dm.id}`);
    await messageLog(a)
      .getByText(/Missed video call/)
      .waitFor();
  });

  test("the caller cancels before an answer: the ringing stops and the call shows as cancelled", { timeout: 120_000 }, async () => {
    const { dm, a, open } = await twoPeopleInADirectConversation();
    const b = await open(`/chat?c=${dm.id}`);
    await messageLog(b).waitFor();

    await meetingCodeAfterCalling(a, "Video call");
    await incomingCall(b).waitFor();
    await a.getByRole("button", { name: "Cancel call" }).click();
    await incomingCall(b).waitFor({ state: "detached" });
    await messageLog(b)
      .getByText(/Cancelled video call/)
      .waitFor();
  });
});

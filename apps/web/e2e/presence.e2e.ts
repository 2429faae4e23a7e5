// "Online now" on the home page, fed by the realtime server's presence.online subscription over the
// browser's own cookie-authenticated WebSocket (URL handed to the page by the server, no rebuild): people see
// their contacts (a DM or a group in common) come and go, nobody else; a guest sees no list at all.
import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { newUser, realtimeClient, webClient } from "../../../tests/harness/clients.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();

const unique = (name: string) => `${name} ${randomUUID().slice(0, 8)}`;

test("people see their contacts online, live, and never a stranger who is online too", async () => {
  const [annName, bobName, strangerName] = [unique("Ann"), unique("Bob"), unique("Stan")];
  const [ann, bob, stranger] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName), newUser(stack.web.url, strangerName)]);
  await webClient(stack.web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  // the stranger is online on the same node the whole time
  const strangerSocket = realtimeClient(stack.realtime.wsUrl, { cookie: stranger.cookie, origin: stack.web.url });
  const strangerSeen = strangerSocket.client.presence.online.subscribe(undefined, {});
  try {
    const annPage = await newPage(stack.browser, stack.contexts, ann.cookie);
    await annPage.goto(`${stack.web.url}/`);
    const annOnline = annPage.getByRole("region", { name: /Online now/ });
    await annOnline.getByText("None of the people you chat with is online.").waitFor();

    const bobPage = await newPage(stack.browser, stack.contexts, bob.cookie);
    await bobPage.goto(`${stack.web.url}/`);
    // Ann's open page learns that Bob came, without reloading; Bob's shows Ann
    await annOnline.getByText(bobName).waitFor();
    await bobPage
      .getByRole("region", { name: /Online now/ })
      .getByText(annName)
      .waitFor();
    const listed = await annOnline.getByRole("listitem").allTextContents();
    expect(listed).toEqual([bobName]);

    // Bob leaves: gone from Ann's list
    await bobPage.context().close();
    await annOnline.getByText(bobName).waitFor({ state: "detached" });
  } finally {
    strangerSeen.unsubscribe();
    await strangerSocket.close();
  }
});

test("a guest in a meeting sees no one under Online now", async () => {
  const host = await newUser(stack.web.url, unique("Host"));
  const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Presence" });
  const guestPage = await newPage(stack.browser, stack.contexts);
  await guestPage.goto(`${stack.web.url}/m/${meeting.code}`);
  await guestPage.getByLabel("Your name").fill(unique("Guest"));
  await guestPage.getByRole("button", { name: "Join now" }).click();
  await guestPage.getByRole("button", { name: "Copy link" }).waitFor();
  await guestPage.goto(`${stack.web.url}/`);
  // the home page has loaded, and lists nobody (the server refuses presence to guests: privacy.int.test.ts)
  await guestPage.getByRole("heading", { name: /^Hello, Guest/ }).waitFor();
  expect(await guestPage.getByRole("region", { name: /Online now/ }).count()).toBe(0);
});

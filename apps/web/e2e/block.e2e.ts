/// <reference lib="dom" />
// Blocking and consent in real Chromium pages against real web and realtime servers (issue 10): after Ann blocks Bob
// from their DM, neither can send there (each is told why), Bob is listed under "Blocked people", and unblocking there
// lets messages through again; someone who left a group and is added back sees an invitation, not the group.
import { describe, expect, test } from "vitest";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { conversationItem, messageLog, sendMessage, unique } from "./support/chatPages.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();

const chatPage = async (cookie: string) => {
  const page = await newPage(stack.browser, stack.contexts, cookie);
  await page.goto(`${stack.web.url}/chat`);
  await page.getByRole("heading", { name: "Chat", exact: true }).waitFor();
  return page;
};

describe("blocking", () => {
  test("block from a DM: neither side can send, each is told why; unblock from the list and messages flow again", { timeout: 120_000 }, async () => {
    const [annName, bobName] = [unique("Ann"), unique("Bob")];
    const [ann, bob] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName)]);
    await webClient(stack.web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
    const [a, b] = [await chatPage(ann.cookie), await chatPage(bob.cookie)];
    await conversationItem(a, bobName).click();
    await conversationItem(b, annName).click();
    await sendMessage(b, "hi before");
    await messageLog(a).getByText("hi before").waitFor();

    a.once("dialog", (dialog) => {
      expect(dialog.message()).toContain(`Block ${bobName}?`);
      void dialog.accept();
    });
    await a
      .getByRole("region", { name: bobName })
      .getByRole("button", { name: `Block ${bobName}` })
      .click();
    await a
      .getByRole("button", { name: `Unblock ${bobName}` })
      .first()
      .waitFor();
    await a.getByText(`You blocked ${bobName}: neither of you can write or call here`).waitFor();

    // both are told, on the unsent message itself, why it did not go out
    await sendMessage(b, "are you there?");
    await messageLog(b)
      .getByRole("listitem")
      .filter({ hasText: "are you there?" })
      .getByText(/one of you has blocked the other/)
      .waitFor();
    await sendMessage(a, "not listening");
    await messageLog(a)
      .getByRole("listitem")
      .filter({ hasText: "not listening" })
      .getByText(/one of you has blocked the other/)
      .waitFor();
    expect(await messageLog(a).getByText("are you there?").count()).toBe(0);

    // the sidebar lists Bob; unblocking there lets Bob's next message through
    await a.getByText("Blocked people (1)").click();
    await a
      .getByRole("list", { name: "Blocked people" })
      .getByRole("button", { name: `Unblock ${bobName}` })
      .click();
    await a
      .getByRole("region", { name: bobName })
      .getByRole("button", { name: `Block ${bobName}` })
      .waitFor();
    await a.getByText(`You blocked ${bobName}`).waitFor({ state: "detached" });
    await sendMessage(b, "hello again");
    await messageLog(a).getByText("hello again").waitFor();
  });

  test("someone added back to a group they left sees an invitation, and after accepting only what follows", { timeout: 120_000 }, async () => {
    const [annName, bobName] = [unique("Ann"), unique("Bob")];
    const [ann, bob] = await Promise.all([newUser(stack.web.url, annName), newUser(stack.web.url, bobName)]);
    const [annApi, bobApi] = [webClient(stack.web.url, ann.cookie), webClient(stack.web.url, bob.cookie)];
    const title = unique("Choir");
    const group = await annApi.chat.createGroup.mutate({ title, memberIds: [bob.id] });
    await bobApi.chat.removeMember.mutate({ conversationId: group.id, userId: bob.id });
    const b = await chatPage(bob.cookie);
    const a = await chatPage(ann.cookie);
    await conversationItem(a, title).click();
    await sendMessage(a, "said while Bob was away");
    await messageLog(a).getByText("said while Bob was away").waitFor();

    // the invitation arrives on Bob's open page; the group itself is not listed
    await annApi.chat.addMembers.mutate({ conversationId: group.id, userIds: [bob.id] });
    const invitation = b.getByRole("list", { name: "Invitations" }).getByRole("listitem").filter({ hasText: title });
    await invitation.getByText(`${annName} invites you to`).waitFor();
    expect(await conversationItem(b, title).count()).toBe(0);
    await invitation.getByRole("button", { name: "Accept" }).click();
    await b.getByRole("region", { name: title }).waitFor();
    await b.getByRole("list", { name: "Invitations" }).waitFor({ state: "detached" });
    await sendMessage(a, "welcome back Bob");
    await messageLog(b).getByText("welcome back Bob").waitFor();
    expect(await messageLog(b).getByText("said while Bob was away").count()).toBe(0);
  });
});

/// <reference lib="dom" />
// The host's lobby in real Chromium pages, used in a hurry: the host turns the lobby on before the preview has
// started and joins at once; a guest clicks "Join now" the moment it shows and waits; the host admits them from
// the room and the guest sees the host's video without reloading. Then the host removes them: the guest's page
// says so, and coming back to the link is refused. Pages at 320x240@15.
import { expect, test } from "vitest";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { connectionState, expectDecoding, newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();

test("a newcomer waits in the lobby, the host admits them, they see the host without reloading; once removed they cannot come back", async () => {
  const host = await newUser(stack.web.url, "Hana Host");
  const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Lobby e2e" });
  const url = `${stack.web.url}/m/${meeting.code}?quality=low`;

  const hostPage = await newPage(stack.browser, stack.contexts, host.cookie);
  await hostPage.goto(url);
  // before anything is ready: the switch, then "Join now"
  const lobbySwitch = hostPage.getByRole("button", { name: "Lobby" });
  await lobbySwitch.click();
  await expect.poll(() => lobbySwitch.getAttribute("aria-pressed"), { timeout: 20_000 }).toBe("true");
  await hostPage.getByRole("button", { name: "Join now" }).click();
  await connectionState(hostPage, "Connected", 40_000);

  const guestPage = await newPage(stack.browser, stack.contexts);
  await guestPage.goto(url);
  await guestPage.getByLabel("Your name").fill("Gus Guest");
  await guestPage.getByRole("button", { name: "Join now" }).click();
  await guestPage.getByRole("status").filter({ hasText: "Waiting for the host to let you in" }).waitFor({ timeout: 40_000 });
  // the page that waits is the page that joins: marked now, checked once in
  await guestPage.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  const admit = hostPage.getByRole("button", { name: "Admit Gus Guest" });
  await admit.click({ timeout: 40_000 });
  await connectionState(guestPage, "Connected", 40_000);
  expect(await guestPage.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  // the host's camera on the newcomer's screen, and the other way round
  await expectDecoding(guestPage, 1, 60_000);
  await expectDecoding(hostPage, 1, 60_000);
  await expect.poll(() => admit.count()).toBe(0);

  hostPage.once("dialog", (dialog) => void dialog.accept());
  await hostPage.getByRole("button", { name: "Remove Gus Guest" }).click();
  await guestPage.getByRole("heading", { name: "You were removed from this meeting" }).waitFor({ timeout: 20_000 });
  // the same guest opening the link again is refused with a clear sentence, and the host sees whom to allow back
  await guestPage.goto(url);
  await guestPage.getByRole("button", { name: "Join now" }).click();
  await guestPage.getByText("You cannot join it or read its chat again unless the host lets you back.").waitFor({ timeout: 20_000 });
  await hostPage.getByRole("button", { name: "Allow Gus Guest back" }).waitFor({ timeout: 20_000 });
});

/// <reference lib="dom" />
// /settings/tokens in real headless Chromium against the built web app, PostgreSQL and Redis: a user creates a
// read-chat token from the keyboard-labelled form, sees its secret once (it works as a Bearer token), never again
// after leaving the page, and revokes it: the list says so and the secret stops working.
import { expect, test } from "vitest";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack();

test("create a token, see its secret once, revoke it", async () => {
  const user = await newUser(stack.web.url, "Tokyo Tokens");
  const page = await newPage(stack.browser, stack.contexts, user.cookie);
  await page.goto(`${stack.web.url}/settings/tokens`);
  await page.getByRole("heading", { name: "API tokens" }).waitFor();

  await page.getByLabel("Name").fill("Chat reader");
  await page.getByRole("checkbox", { name: /Read chat/ }).check();
  await page.getByLabel("Expires after").selectOption({ label: "7 days" });
  await page.getByRole("button", { name: "Create token" }).click();

  const secretField = page.getByTestId("new-token-secret");
  const secret = await secretField.inputValue();
  expect(secret).toMatch(/^qm_/);
  await page.getByText("shown only this once").waitFor();
  const asBot = webClient(stack.web.url, "", { authorization: `Bearer ${secret}` });
  expect(await asBot.chat.list.query()).toEqual([]);

  const item = page.getByRole("listitem").filter({ hasText: "Chat reader" });
  await item.getByText("Read chat").waitFor();
  await page.getByRole("button", { name: "I have copied it" }).click();
  await page.reload();
  await item.waitFor();
  expect(await page.content()).not.toContain(secret);

  await page.getByRole("button", { name: "Revoke the token Chat reader" }).click();
  await item.getByText(/revoked/).waitFor();
  await expect(asBot.chat.list.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
});

/// <reference lib="dom" />
// Helpers for chat e2e tests: the /chat page's landmarks and actions.
import { randomUUID } from "node:crypto";
import type { Locator, Page } from "playwright-core";

export const unique = (name: string) => `${name} ${randomUUID().slice(0, 6)}`;

/** The list of conversations on /chat. */
export const conversationList = (page: Page): Locator => page.getByRole("list", { name: "Conversations" });

/** The conversation entry whose title contains `title`. */
export const conversationItem = (page: Page, title: string): Locator => conversationList(page).getByRole("button").filter({ hasText: title });

/** The message history of the open conversation. */
export const messageLog = (page: Page): Locator => page.getByRole("log", { name: "Messages" });

export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** Opens the direct conversation with `name` from "Find people". */
export async function openDirectWith(page: Page, name: string): Promise<void> {
  await page.getByLabel("Find people").fill(name);
  await page.getByRole("button", { name: `Message ${name}` }).click();
  await page.getByRole("region", { name }).waitFor();
}

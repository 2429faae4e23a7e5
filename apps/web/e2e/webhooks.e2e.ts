/// <reference lib="dom" />
// /settings/webhooks in real headless Chromium against the built web app and a realtime node delivering to a receiver
// in this test: a user adds an endpoint from the labelled form, sees its signing secret once (it verifies what the
// receiver gets), sends a test event and watches it in the delivery log; after a reload the secret is gone.
import { expect, test } from "vitest";
import { SIGNATURE_HEADER, verify } from "@qualmeet/webhook-signature";
import { newUser } from "../../../tests/harness/clients.ts";
import { startWebhookReceiver } from "../../../tests/harness/webhookReceiver.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// the receiver runs on loopback
const allowPrivate = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" };
const stack = useMeetingStack({ realtimeEnv: allowPrivate, webEnv: allowPrivate });

test("add an endpoint, see its secret once, send a test event and see it delivered", async () => {
  const receiver = await startWebhookReceiver();
  try {
    const user = await newUser(stack.web.url, "Webhook Wendy");
    const page = await newPage(stack.browser, stack.contexts, user.cookie);
    await page.goto(`${stack.web.url}/settings/webhooks`);
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    // report.filed is for administrators: not offered
    expect(await page.getByRole("checkbox", { name: /report\.filed/ }).count()).toBe(0);

    const url = `${receiver.url}/wendy`;
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("Description (optional)").fill("My meeting bot");
    await page.getByRole("checkbox", { name: /meeting\.started/ }).check();
    await page.getByRole("checkbox", { name: /message\.sent/ }).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();

    const secret = await page.getByTestId("new-webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByText("shown only this once").waitFor();
    const item = page.getByRole("listitem").filter({ hasText: "My meeting bot" });
    await item.getByText("meeting.started, message.sent").waitFor();

    await page.getByRole("button", { name: `Send a test event to ${url}` }).click();
    await item.getByText("Test event queued.").waitFor();
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const [delivery] = receiver.received;
    expect(delivery!.event.type).toBe("webhook.test");
    expect(verify({ body: delivery!.body, header: delivery!.headers[SIGNATURE_HEADER.toLowerCase()], secret }).ok).toBe(true);

    await page.getByRole("button", { name: `Deliveries to ${url}` }).click();
    const log = page.getByRole("table", { name: `Deliveries to ${url}, newest first` });
    await log.getByRole("row").filter({ hasText: "webhook.test" }).filter({ hasText: "delivered" }).filter({ hasText: "HTTP 204" }).waitFor();

    await page.getByRole("button", { name: "I have copied it" }).click();
    await page.reload();
    await item.waitFor();
    expect(await page.content()).not.toContain(secret);
  } finally {
    await receiver.close();
  }
});

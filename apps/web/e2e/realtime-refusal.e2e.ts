// A person who opens one tab too many is told why that tab has no live connection, in the limit's own words,
// and the tab connects by itself once another closes: the realtime node's close reason reaches the page.
import { randomUUID } from "node:crypto";
import { test } from "vitest";
import { newUser } from "../../../tests/harness/clients.ts";
import { newPage } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

// one live connection per account, so the second tab is the one too many
const stack = useMeetingStack({ realtimeEnv: { WS_MAX_SOCKETS_PER_USER: "1" } });

test("the tab over the per-account connection limit says so, and connects once another tab closes", async () => {
  const ann = await newUser(stack.web.url, `Ann ${randomUUID().slice(0, 8)}`);
  const first = await newPage(stack.browser, stack.contexts, ann.cookie);
  await first.goto(`${stack.web.url}/`);
  const firstOnline = first.getByRole("region", { name: /Online now/ });
  await firstOnline.getByText("None of the people you chat with is online.").waitFor();

  // a second tab in the same browser: the realtime node refuses its socket and the page says why
  const second = await first.context().newPage();
  await second.goto(`${stack.web.url}/`);
  const refusal = second.getByRole("alert").filter({ hasText: "Live connection closed" });
  await refusal.getByText("Too many connections for your account (limit 1)").waitFor();

  // the first tab goes: the second one's retry gets the place, and the notice goes away
  await first.close();
  await refusal.waitFor({ state: "detached", timeout: 60_000 });
  await second
    .getByRole("region", { name: /Online now/ })
    .getByText("None of the people you chat with is online.")
    .waitFor({ timeout: 60_000 });
});

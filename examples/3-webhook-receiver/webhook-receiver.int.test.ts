// Example 3 against a web app and realtime node this test starts, as `npm run examples` runs it (private addresses
// allowed: the receiver listens on this machine).
import { afterAll, beforeAll, expect, test } from "vitest";
import { exampleContext } from "../../tests/harness/exampleContext.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../tests/harness/servers.ts";
import { example } from "./example.ts";

const env = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" };
let web: WebServer;
let node: RealtimeServer;

beforeAll(async () => {
  web = await startWeb({ env });
  node = await startRealtime({ allowedOrigins: [web.url], env });
});

afterAll(async () => {
  await Promise.all([node?.stop(), web?.stop()]);
});

test("the receiver prints a meeting's and a chat's events verified, and refuses tampered and replayed deliveries", async () => {
  const summary = await example.verify(exampleContext(web, node, (line) => console.log(`  [${example.name}] ${line}`)));
  console.log(summary);
  expect(summary).toMatch(/printed \d+ verified events/);
});

// Example 1 against a web app and realtime node this file starts, as `npm run examples` runs it.
import { afterAll, beforeAll, expect, test } from "vitest";
import { exampleContext } from "../../tests/harness/exampleContext.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../tests/harness/servers.ts";
import { example } from "./example.ts";

let web: WebServer;
let node: RealtimeServer;

beforeAll(async () => {
  web = await startWeb();
  node = await startRealtime({ allowedOrigins: [web.url] });
});

afterAll(async () => {
  await Promise.all([node?.stop(), web?.stop()]);
});

test("the Node script creates a meeting, posts a message and prints the live events another person causes", async () => {
  const summary = await example.verify(exampleContext(web, node));
  expect(summary).toMatch(/^created meeting \S+, posted a message, printed \d+ live events/);
});

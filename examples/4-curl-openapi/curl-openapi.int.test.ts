// Example 4 against a web app and realtime node this test starts, as `npm run examples` runs it.
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

test("the curl walk-through creates, reads, lists and ends a meeting over REST and shows a 400", async () => {
  const lines: string[] = [];
  const summary = await example.verify(exampleContext(web, node, (line) => lines.push(line)));
  expect(summary).toMatch(/meeting [a-z0-9]{8} created, read, listed and ended/);
  expect(lines).toContainEqual(expect.stringMatching(/^ok bad input refused: 400/));
});

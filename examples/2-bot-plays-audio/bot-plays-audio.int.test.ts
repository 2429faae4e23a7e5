// Example 2 against servers this test starts: the bot's tone is heard in Chromium, and the bot shows as a bot.
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort } from "../../scripts/lib/ports.ts";
import { exampleContext } from "../../tests/harness/exampleContext.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../tests/harness/servers.ts";
import { example } from "./example.ts";

let web: WebServer;
let node: RealtimeServer;

beforeAll(async () => {
  // the page opens its socket to the realtime node the web app names, which must allow the web app's origin
  const webPort = await freePort();
  node = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`] });
  web = await startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: node.wsUrl } });
}, 120_000);

afterAll(async () => {
  await Promise.all([node?.stop(), web?.stop()]);
});

test("example 2: a bot joins a meeting and plays a tone that a Chromium participant hears, marked as a bot", async () => {
  const summary = await example.verify(exampleContext(web, node, (line) => console.log(`  [2-bot-plays-audio] ${line}`)));
  console.log(summary);
  expect(summary).toMatch(/^bot joined in \d+ ms, sent [\d.]+ RTP packets\/s; Chromium shows it as a bot and hears it at level 0\.\d+$/);
}, 180_000);

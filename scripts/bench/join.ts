// Join benchmark: how long after clicking "Join now" people see each other, in headless Chromium (fake camera,
// 320x240@15) against its own PostgreSQL, Redis, web app and one realtime node on free ports. Per case, every
// join is into a fresh meeting whose first N-1 people are already in the call and see each other; person N
// clicks "Join now" and the time runs from that click (on the page's clock) to the first remote frame presented
// (requestVideoFrameCallback):
//   joiner     the joiner's first frame from anyone;   joinerAll  from every one of the others
//   existing   each person already in the call: the first frame from the joiner
//   switch     case 4 only: until every page shows every other person over the SFU (mesh closed)
// Cases: 2 = P2P, 4 = three in a P2P mesh and the fourth switches the meeting to the SFU, 6 = SFU from the start
// (P2P limit 0). Target: p50 < 1 s and p95 < 2 s for every case on loopback, the 3->4 switch within 3 s.
// Progress goes to stderr; the last line of stdout is one JSON object with the results.
//
//   npm run bench:join                                    (20 joins per case: run it on an idle machine)
//   npm run bench:join -- --joins 2 --cases 2,4           (a smoke run)
//   npm run bench:join -- --joins 2 --cases 6 --trace     (also every page's media trace and console, ms after the click)
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../tests/harness/browser.ts";
import { newUser } from "../../tests/harness/clients.ts";
import { benchCleanup } from "./cleanup.ts";
import { measureJoin, type JoinSample } from "./join/call.ts";
import { percentiles, signedInPage, startDatabases, startMeetingServers } from "./join/stack.ts";

const CASES = { 2: { p2pMax: 3, mode: "P2P" }, 4: { p2pMax: 3, mode: "P2P->SFU" }, 6: { p2pMax: 0, mode: "SFU" } } as const;
type CaseSize = keyof typeof CASES;
const TARGET = { p50Ms: 1000, p95Ms: 2000, switchMs: 3000 };

const { values: args } = parseArgs({
  options: { joins: { type: "string", default: "20" }, cases: { type: "string", default: "2,4,6" }, trace: { type: "boolean", default: false } },
});
const JOINS = Number(args.joins);
const SIZES = args.cases.split(",").map(Number) as CaseSize[];
if (!Number.isInteger(JOINS) || JOINS < 1 || !SIZES.length || SIZES.some((n) => !(n in CASES))) {
  console.error(`usage: --joins N (>= 1) --cases a,b,... (of ${Object.keys(CASES).join(", ")}); got --joins ${args.joins} --cases ${args.cases}`);
  process.exit(2);
}

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench:join ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

const { onCleanup, run } = benchCleanup(log);

interface Stack {
  webUrl: string;
  browser: Browser;
  host: { cookie: string };
  /** one signed-in page per person, reused from join to join */
  pages: Page[];
}

async function startStack(): Promise<Stack> {
  await startDatabases({ onCleanup, log }, "join");
  const servers = await startMeetingServers({ onCleanup, log });
  const browser = await launchChromium({ handleSignals: false });
  onCleanup("Chromium", () => browser.close());
  const size = Math.max(...SIZES);
  const users = await Promise.all(Array.from({ length: size }, (_, i) => newUser(servers.webUrl, `Person ${i + 1}`)));
  const pages = await Promise.all(users.map((user) => signedInPage(browser, user.cookie, { log, trace: args.trace })));
  log(`web ${servers.webUrl}, realtime ${servers.wsUrl}, ${size} signed-in pages`);
  return { webUrl: servers.webUrl, browser, host: users[0]!, pages };
}

/** One join into a fresh meeting of `size - 1` people already in the call; undefined when it did not complete. */
function joinCase(stack: Stack, size: CaseSize): Promise<JoinSample | undefined> {
  return measureJoin({
    webUrl: stack.webUrl,
    hostCookie: stack.host.cookie,
    pages: stack.pages.slice(0, size),
    p2pMaxParticipants: CASES[size].p2pMax,
    title: `bench:join ${size}`,
    sfuSwitch: size === 4,
    log,
    afterJoin: args.trace ? (pages, clickAt) => logTraces(pages, clickAt) : undefined,
  });
}

async function logTraces(pages: Page[], clickAt: number): Promise<void> {
  for (const [i, page] of pages.entries()) await logTrace(page, i === pages.length - 1 ? "joiner" : `person ${i + 1}`, clickAt);
}

/**
 * One page's media trace (apps/web/src/lib/media/mediaTrace.ts) from the joiner's click on "Join now" on, each
 * step in ms after that click: the joiner's whole join, and how each person already in the call consumed it.
 */
async function logTrace(page: Page, who: string, clickAt: number): Promise<void> {
  const { steps, mesh } = await page.evaluate(() => {
    const debug = (window as unknown as { __qualmeet?: { engine: { recoveryLog?: Array<{ step: string; at: number }> }; topology?(): { mesh: unknown } } }).__qualmeet;
    return { steps: debug?.engine.recoveryLog ?? [], mesh: debug?.topology?.().mesh ?? null };
  });
  const shown = steps.filter((s) => s.at >= clickAt).map((s) => `${Math.round(s.at - clickAt)} ${s.step}`);
  log(`  ${who} trace: ${shown.join(" | ")}`);
  // P2P: per connection its polite side, first frame (ms after it opened) and replacements
  if (mesh) log(`  ${who} mesh: ${JSON.stringify(mesh)}`);
}

async function main() {
  const stack = await startStack();
  const results: Record<string, unknown> = {};
  let meetsTarget = true;
  for (const size of SIZES) {
    const samples: JoinSample[] = [];
    let failed = 0;
    for (let i = 1; i <= JOINS; i++) {
      const sample = await joinCase(stack, size);
      if (sample) samples.push(sample);
      else failed++;
      const shown = sample
        ? `joiner ${Math.round(sample.joiner)} ms (all ${Math.round(sample.joinerAll)}), existing ${sample.existing.map(Math.round).join("/")} ms${sample.switch !== undefined ? `, switch ${Math.round(sample.switch)} ms` : ""}`
        : "did not complete";
      log(`case ${size} join ${i}/${JOINS}: ${shown}`);
    }
    const result = {
      mode: CASES[size].mode,
      joins: JOINS,
      failed,
      joinerMs: percentiles(samples.map((s) => s.joiner)),
      joinerAllMs: percentiles(samples.map((s) => s.joinerAll)),
      existingMs: percentiles(samples.flatMap((s) => s.existing)),
      ...(size === 4 ? { switchMs: percentiles(samples.map((s) => s.switch!)) } : {}),
    };
    const within = (p: { p50: number | null; p95: number | null }) => p.p50 !== null && p.p95 !== null && p.p50 < TARGET.p50Ms && p.p95 < TARGET.p95Ms;
    if (failed || !within(result.joinerMs) || !within(result.existingMs)) meetsTarget = false;
    if (size === 4 && !((result.switchMs?.p95 ?? Infinity) < TARGET.switchMs)) meetsTarget = false;
    results[String(size)] = result;
  }
  console.log(JSON.stringify({ bench: "join", joins: JOINS, cases: results, target: TARGET, meetsTarget }));
}

run(main, 10 * 60_000 + JOINS * SIZES.length * 2 * 60_000);

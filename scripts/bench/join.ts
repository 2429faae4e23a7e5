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
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { applyMigrations } from "../../packages/db/src/migrate.ts";
import { launchChromium } from "../../tests/harness/browser.ts";
import { newUser, webClient } from "../../tests/harness/clients.ts";
import { startRealtime, startWeb } from "../../tests/harness/servers.ts";
import { freePort } from "../lib/ports.ts";
import { startPostgres } from "../lib/postgres.ts";
import { startRedis } from "../lib/redis.ts";
import { buildWeb } from "../lib/webBuild.ts";
import { benchCleanup } from "./cleanup.ts";
import { firstFrameFrom, installProbe, readState, sfuCompleteAt, type PageState } from "./join/probe.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const CASES = { 2: { p2pMax: 3, mode: "P2P" }, 4: { p2pMax: 3, mode: "P2P->SFU" }, 6: { p2pMax: 0, mode: "SFU" } } as const;
type CaseSize = keyof typeof CASES;
const TARGET = { p50Ms: 1000, p95Ms: 2000, switchMs: 3000 };
/** a join whose frames have not all arrived by then counts as failed */
const JOIN_TIMEOUT_MS = 30_000;
const STEP_MS = 40_000;

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!) : null);
  return { n: sorted.length, p50: at(50), p95: at(95), max: at(100) };
}

const { onCleanup, run } = benchCleanup(log);

interface Stack {
  webUrl: string;
  browser: Browser;
  host: { cookie: string };
  /** one signed-in page per person, reused from join to join */
  pages: Page[];
}

async function startStack(): Promise<Stack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-bench-join-"));
  onCleanup("temporary folder", () => rm(dir, { recursive: true, force: true }));
  log("building the web app (cached by turbo)");
  // the probe reads the pages' media topology (window.__qualmeet)
  await buildWeb(root, { quiet: true, testHooks: true });
  const postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), database: "qualmeet_bench", log });
  onCleanup("PostgreSQL", () => postgres.stop());
  const redis = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false, log });
  onCleanup("Redis", () => redis.stop());
  await applyMigrations(postgres.url, path.join(root, "prisma/migrations"));
  // the servers below inherit process.env (tests/harness/servers.ts); one address opens every page and socket
  Object.assign(process.env, {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    NEXT_TELEMETRY_DISABLED: "1",
    RATE_LIMIT_REGISTER_PER_HOUR: "10000",
    RATE_LIMIT_GUESTS_PER_HOUR: "10000",
    RATE_LIMIT_SIGNIN_PER_MIN: "10000",
    RATE_LIMIT_MEETING_LOOKUPS_PER_MIN: "100000",
    RATE_LIMIT_GLOBAL_PER_MIN: "100000",
    RATE_LIMIT_WS_UPGRADES_PER_MIN: "100000",
  });
  const webPort = await freePort();
  const realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`] });
  onCleanup("realtime node", () => realtime.stop());
  const web = await startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl } });
  onCleanup("web app", () => web.stop());
  const browser = await launchChromium({ handleSignals: false });
  onCleanup("Chromium", () => browser.close());
  const size = Math.max(...SIZES);
  const users = await Promise.all(Array.from({ length: size }, (_, i) => newUser(web.url, `Person ${i + 1}`)));
  const pages = await Promise.all(users.map((user) => signedInPage(browser, user.cookie)));
  log(`web ${web.url}, realtime ${realtime.wsUrl}, ${size} signed-in pages`);
  return { webUrl: web.url, browser, host: users[0]!, pages };
}

async function signedInPage(browser: Browser, cookie: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  context.setDefaultTimeout(STEP_MS);
  await context.addCookies(
    cookie.split("; ").map((pair) => {
      const eq = pair.indexOf("=");
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: "localhost", path: "/" };
    }),
  );
  await installProbe(context);
  // the engine then also traces each video's first packet and frame
  if (args.trace) await context.addInitScript({ content: "window.__qualmeetDebug = true;" });
  const page = await context.newPage();
  page.on("pageerror", (error) => log(`page error: ${error.message}`));
  // the engine's and the mesh's debug lines, each with the page it comes from
  if (args.trace) page.on("console", (message) => log(`  page ${cookie.slice(-6)}: ${message.text()}`));
  return page;
}

/** Opens the meeting at low quality and waits for the camera preview: the moment a person would click. */
async function openLobby(stack: Stack, page: Page, code: string): Promise<void> {
  await page.goto(`${stack.webUrl}/m/${code}?quality=low`);
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('video[aria-label="Camera preview"]');
    return !!v && v.readyState >= 2 && v.videoWidth > 0;
  });
}

const states = (pages: Page[]) => Promise.all(pages.map(readState));

/** Polls the pages until `check` returns a value, or gives up (undefined) after `timeoutMs`. */
async function until<T>(pages: Page[], timeoutMs: number, check: (all: PageState[]) => T | undefined): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check(await states(pages));
    if (found !== undefined || Date.now() > deadline) return found;
    await sleep(50);
  }
}

/** Everyone on `pages` has a peer id and presents frames from every other one of them. */
const everyoneSeesEveryone = (all: PageState[]) => {
  const ids = all.map((s) => s.peerId);
  if (ids.some((id) => !id)) return undefined;
  return all.every((s, i) => ids.every((id, j) => i === j || firstFrameFrom(s, id!) !== undefined)) ? true : undefined;
};

interface JoinSample {
  joiner: number;
  joinerAll: number;
  existing: number[];
  switch?: number;
}

/** One join into a fresh meeting of `size - 1` people already in the call; undefined when it did not complete. */
async function measureJoin(stack: Stack, size: CaseSize): Promise<JoinSample | undefined> {
  const { p2pMax } = CASES[size];
  const meeting = await webClient(stack.webUrl, stack.host.cookie).meeting.create.mutate({ title: `bench:join ${size}`, maxParticipants: 10, p2pMaxParticipants: p2pMax });
  const pages = stack.pages.slice(0, size);
  const inCall = pages.slice(0, -1);
  const joinerPage = pages.at(-1)!;
  try {
    for (const page of inCall) {
      await openLobby(stack, page, meeting.code);
      await page.getByRole("button", { name: "Join now" }).click();
    }
    if (!(await until(inCall, STEP_MS, everyoneSeesEveryone))) {
      log(`case ${size}: the first ${size - 1} people did not all see each other within ${STEP_MS} ms; join skipped`);
      return undefined;
    }
    await openLobby(stack, joinerPage, meeting.code);
    await joinerPage.getByRole("button", { name: "Join now" }).click();
    const sample = await until(pages, JOIN_TIMEOUT_MS, (all) => {
      const joiner = all.at(-1)!;
      const others = all.slice(0, -1);
      if (joiner.clickAt === null || !joiner.peerId) return undefined;
      const clickAt = joiner.clickAt;
      const fromOthers = others.map((s) => firstFrameFrom(joiner, s.peerId!));
      const ofJoiner = others.map((s) => firstFrameFrom(s, joiner.peerId!));
      if ([...fromOthers, ...ofJoiner].some((at) => at === undefined)) return undefined;
      const sample: JoinSample = {
        joiner: Math.min(...(fromOthers as number[])) - clickAt,
        joinerAll: Math.max(...(fromOthers as number[])) - clickAt,
        existing: (ofJoiner as number[]).map((at) => at - clickAt),
      };
      if (size === 4) {
        const done = all.map((s) =>
          sfuCompleteAt(
            s,
            all.filter((o) => o !== s).map((o) => o.peerId!),
          ),
        );
        if (done.some((at) => at === undefined)) return undefined;
        sample.switch = Math.max(...(done as number[])) - clickAt;
      }
      return sample;
    });
    if (args.trace) {
      const clickAt = await joinerPage.evaluate(() => (window as unknown as { __joinProbe?: { clickAt: number | null } }).__joinProbe?.clickAt ?? null);
      if (clickAt !== null) for (const [i, page] of pages.entries()) await logTrace(page, page === joinerPage ? "joiner" : `person ${i + 1}`, clickAt);
    }
    return sample;
  } finally {
    // everyone leaves; the next join gets a new meeting
    await Promise.all(pages.map((page) => page.goto("about:blank").catch((error: Error) => log(`leaving failed: ${error.message}`))));
  }
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
      const sample = await measureJoin(stack, size);
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

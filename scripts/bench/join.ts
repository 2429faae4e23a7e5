// Join benchmark: how long after clicking "Join now" people see each other, in headless Chromium (fake camera,
// 320x240@15) against its own PostgreSQL, Redis, web app and one realtime node on free ports. Per case, every
// join is into a fresh meeting whose first N-1 people are already in the call and see each other; person N
// clicks "Join now" and the time runs from that click (on the page's clock) to the first remote frame presented
// (requestVideoFrameCallback):
//   joiner     the joiner's first frame from anyone;   joinerAll  from every one of the others
//   existing   each person already in the call: the first frame from the joiner
//   switch     4-switch only: until every page shows every other person over the SFU (mesh closed)
// Cases, named <people>-<topology>[-relay]: 2, 4 or 8 people; p2p (a mesh of all of them: P2P limit = N), sfu (P2P
// limit 0: SFU from the start) or switch (4 people, three in a P2P mesh and the fourth switches the meeting to the
// SFU); -relay: every connection relayed through a real coturn on loopback over UDP (tests/harness/coturn.ts;
// ICE_TRANSPORT_POLICY=relay), else direct (host candidates). Target: p50 < 1 s and p95 < 2 s for every case on
// loopback, the 3->4 switch within 3 s. Progress goes to stderr; the last line of stdout is the benchmark JSON
// contract's object (report/contract.ts), with a chart of p50 against people per topology and path.
//
//   npm run bench:join                                    (10 joins per case: run it on an idle machine)
//   npm run bench:join -- --joins 2 --cases 2-p2p,4-switch,8-sfu-relay   (a smoke run)
//   npm run bench:join -- --joins 2 --cases 8-sfu --trace (also every page's media trace and console, ms after the click)
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { launchChromium } from "../../tests/harness/browser.ts";
import { newUser } from "../../tests/harness/clients.ts";
import { startCoturn, type TestCoturn } from "../../tests/harness/coturn.ts";
import { benchCleanup } from "./cleanup.ts";
import { measureJoin, type JoinSample } from "./join/call.ts";
import { percentiles, relayEnv, signedInPage, startDatabases, startMeetingServers } from "./join/stack.ts";
import { printBenchResult, type Chart } from "./report/contract.ts";

const SIZES = [2, 4, 8] as const;
type Topology = "p2p" | "sfu" | "switch";
interface JoinCase {
  name: string;
  people: number;
  topology: Topology;
  relay: boolean;
}
const ALL_CASES: JoinCase[] = [false, true].flatMap((relay) => [
  ...SIZES.flatMap((people) => (["p2p", "sfu"] as const).map((topology) => ({ name: `${people}-${topology}${relay ? "-relay" : ""}`, people, topology, relay }))),
  { name: `4-switch${relay ? "-relay" : ""}`, people: 4, topology: "switch" as const, relay },
]);
const P2P_LIMIT: Record<Topology, (people: number) => number> = { p2p: (people) => people, sfu: () => 0, switch: () => 3 };
const TARGET = { p50Ms: 1000, p95Ms: 2000, switchMs: 3000 };

const { values: args } = parseArgs({
  options: {
    joins: { type: "string", default: "10" },
    cases: { type: "string", default: ALL_CASES.map((c) => c.name).join(",") },
    trace: { type: "boolean", default: false },
  },
});
const JOINS = Number(args.joins);
const SELECTED = args.cases.split(",").map((name) => ALL_CASES.find((c) => c.name === name.trim()));
if (!Number.isInteger(JOINS) || JOINS < 1 || !SELECTED.length || SELECTED.some((c) => !c)) {
  console.error(`usage: --joins N (>= 1) --cases a,b,... (of ${ALL_CASES.map((c) => c.name).join(", ")}); got --joins ${args.joins} --cases ${args.cases}`);
  process.exit(2);
}
const CASES = SELECTED as JoinCase[];

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench:join ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

const { onCleanup, run } = benchCleanup(log);

interface People {
  host: { cookie: string };
  /** one signed-in page per person, reused from join to join (and from the direct to the relayed servers) */
  pages: Page[];
}

/** One join into a fresh meeting of `people - 1` people already in the call; undefined when it did not complete. */
function joinOnce(webUrl: string, people: People, joinCase: JoinCase): Promise<JoinSample | undefined> {
  return measureJoin({
    webUrl,
    hostCookie: people.host.cookie,
    pages: people.pages.slice(0, joinCase.people),
    p2pMaxParticipants: P2P_LIMIT[joinCase.topology](joinCase.people),
    title: `bench:join ${joinCase.name}`,
    sfuSwitch: joinCase.topology === "switch",
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

type Percentiles = ReturnType<typeof percentiles>;
interface CaseResult {
  people: number;
  topology: Topology;
  path: "direct" | "relay";
  joins: number;
  failed: number;
  joinerMs: Percentiles;
  joinerAllMs: Percentiles;
  existingMs: Percentiles;
  switchMs?: Percentiles;
}

async function runCase(webUrl: string, people: People, joinCase: JoinCase): Promise<CaseResult> {
  const samples: JoinSample[] = [];
  let failed = 0;
  for (let i = 1; i <= JOINS; i++) {
    const sample = await joinOnce(webUrl, people, joinCase);
    if (sample) samples.push(sample);
    else failed++;
    const shown = sample
      ? `joiner ${Math.round(sample.joiner)} ms (all ${Math.round(sample.joinerAll)}), existing ${sample.existing.map(Math.round).join("/")} ms${sample.switch !== undefined ? `, switch ${Math.round(sample.switch)} ms` : ""}`
      : "did not complete";
    log(`case ${joinCase.name} join ${i}/${JOINS}: ${shown}`);
  }
  return {
    people: joinCase.people,
    topology: joinCase.topology,
    path: joinCase.relay ? "relay" : "direct",
    joins: JOINS,
    failed,
    joinerMs: percentiles(samples.map((s) => s.joiner)),
    joinerAllMs: percentiles(samples.map((s) => s.joinerAll)),
    existingMs: percentiles(samples.flatMap((s) => s.existing)),
    ...(joinCase.topology === "switch" ? { switchMs: percentiles(samples.map((s) => s.switch!)) } : {}),
  };
}

const meetsTarget = (r: CaseResult) => {
  const within = (p: Percentiles) => p.p50 !== null && p.p95 !== null && p.p50 < TARGET.p50Ms && p.p95 < TARGET.p95Ms;
  return !r.failed && within(r.joinerMs) && within(r.existingMs) && (r.topology !== "switch" || (r.switchMs?.p95 ?? Infinity) < TARGET.switchMs);
};

/** The joiner's p50 (and p95) against the number of people, one line per topology and path. */
function joinCharts(results: CaseResult[]): Chart[] {
  const systems = [...new Set(results.map((r) => `qualmeet ${r.topology} ${r.path}`))];
  const chart = (title: string, pick: (p: Percentiles) => number | null): Chart => ({
    title,
    x: { label: "people in the call, the joiner included", unit: "" },
    y: { label: "click to first remote frame", unit: "ms" },
    series: systems.map((system) => ({
      system,
      points: results.flatMap((r) => {
        const y = pick(r.joinerMs);
        return `qualmeet ${r.topology} ${r.path}` === system && y !== null ? [[r.people, y] as [number, number]] : [];
      }),
    })),
  });
  return [chart("Join time p50 (joiner's first remote frame)", (p) => p.p50), chart("Join time p95 (joiner's first remote frame)", (p) => p.p95)];
}

async function main() {
  await startDatabases({ onCleanup, log }, "join");
  const browser = await launchChromium({ handleSignals: false });
  onCleanup("Chromium", () => browser.close());
  const turnSecret = randomBytes(24).toString("base64url");
  let coturn: TestCoturn | undefined;
  if (CASES.some((c) => c.relay)) {
    // a relayed 8-person mesh holds 8 x 7 allocations, and a meeting's leave frees them only as they expire
    coturn = await startCoturn({ secret: turnSecret, relayPorts: 600 });
    onCleanup("coturn", () => coturn!.stop());
    log(`coturn ${coturn.urls.join(", ")} (pid ${coturn.pid})`);
  }
  let people: People | undefined;
  const results: Record<string, CaseResult> = {};
  for (const relay of [false, true]) {
    const cases = CASES.filter((c) => c.relay === relay);
    if (!cases.length) continue;
    const servers = await startMeetingServers({ onCleanup, log }, relay ? relayEnv(coturn!, "udp", turnSecret) : {});
    try {
      if (!people) {
        const count = Math.max(...CASES.map((c) => c.people));
        const users = await Promise.all(Array.from({ length: count }, (_, i) => newUser(servers.webUrl, `Person ${i + 1}`)));
        people = { host: users[0]!, pages: await Promise.all(users.map((user) => signedInPage(browser, user.cookie, { log, trace: args.trace }))) };
      }
      log(`${relay ? "relayed through coturn (UDP)" : "direct"}: web ${servers.webUrl}, realtime ${servers.wsUrl}`);
      for (const joinCase of cases) results[joinCase.name] = await runCase(servers.webUrl, people, joinCase);
    } finally {
      await servers.stop();
    }
  }
  printBenchResult({
    bench: "join",
    results: {
      joins: JOINS,
      joiner_p50_ms: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.joinerMs.p50])),
      failed_joins: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.failed])),
      meets_target: Object.fromEntries(Object.entries(results).map(([name, r]) => [name, meetsTarget(r)])),
      cases: results,
      target: TARGET,
    },
    charts: joinCharts(Object.values(results)),
  });
}

run(main, 10 * 60_000 + JOINS * CASES.length * 2 * 60_000);

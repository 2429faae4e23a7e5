// TURN benchmark: what relaying a 2-person P2P call through coturn costs, in headless Chromium against its own
// PostgreSQL, Redis, a real coturn on loopback (tests/harness/coturn.ts: UDP/TCP and TLS with a self-signed
// certificate, which this Chromium is told to accept) and, per variant, a web app + realtime node on free ports:
//   direct  ICE_TRANSPORT_POLICY=all, no TURN (host candidates on this machine)
//   udp     ICE_TRANSPORT_POLICY=relay with only coturn's turn:…?transport=udp URL
//   tcp     … only turn:…?transport=tcp;   tls  … only turns:…?transport=tcp
// Per variant:
//   join_ms       --joins joins (bench:join's case 2: a fresh meeting, person 1 in the call, person 2 clicks "Join
//                 now"): click -> first remote frame presented on person 2's page; p50/p95/mean
//   rtt_ms        one more call, in a second Chromium whose camera plays random pixels (turn/noiseVideo.ts, 320x240@15:
//                 Chromium's own pattern compresses to ~0.5 Mbps), each camera sender capped at --kbps
//                 (RTCRtpSender.setParameters maxBitrate; the mesh sets none itself): once the video arrives at >= 80%
//                 of the cap (or after 30 s), the median over --seconds of the selected candidate pair's
//                 currentRoundTripTime, sampled each second on both pages (Chromium rounds it to 1 ms)
//   rtt_mean_ms   the window's mean RTT of those pairs' consent checks (totalRoundTripTime / responsesReceived
//                 deltas): finer, but a single slow answer on a busy machine moves it
//   coturn_cpu_pct  coturn's CPU over that window (/proc/<pid>/stat utime+stime, 100 = one core)
//   bitrate_kbps  video received per stream over that window (inbound-rtp bytesReceived, mean of both pages)
//   paths         the selected candidate pairs' local candidate types seen (relay/udp, …, host): the variant's proof
// relay_extra_rtt_ms = the relay variant's rtt - direct's. Progress goes to stderr; the last stdout line is one
// JSON object.
//
//   npm run bench:turn                       (20 joins per variant: run it on an idle machine)
//   npm run bench:turn -- --joins 2 --seconds 5 --variants direct,tls   (a smoke run)
//   other flags: --kbps N (the cameras' cap, default 1000)
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../tests/harness/browser.ts";
import { newUser, webClient } from "../../tests/harness/clients.ts";
import { startCoturn, type TestCoturn } from "../../tests/harness/coturn.ts";
import { pathOf, recordPeerConnections, selectedPairs } from "../../tests/harness/peerConnections.ts";
import { numberOption } from "./args.ts";
import { benchCleanup } from "./cleanup.ts";
import { everyoneSeesEveryone, leave, measureJoin, openLobby, until } from "./join/call.ts";
import { percentiles, relayEnv, signedInPage, startDatabases, startMeetingServers, STEP_MS } from "./join/stack.ts";
import { procCpuMs } from "./procStats.ts";
import { printBenchResult } from "./report/contract.ts";
import { writeNoiseY4m } from "./turn/noiseVideo.ts";
import { capVideoBitrate, readCallStats } from "./turn/callStats.ts";

const VARIANTS = ["direct", "udp", "tcp", "tls"] as const;
type Variant = (typeof VARIANTS)[number];

const { values: args } = parseArgs({
  options: {
    variants: { type: "string", default: VARIANTS.join(",") },
    joins: { type: "string", default: "20" },
    seconds: { type: "string", default: "20" },
    kbps: { type: "string", default: "1000" },
  },
});
const SELECTED = args.variants.split(",") as Variant[];
if (!SELECTED.length || SELECTED.some((v) => !VARIANTS.includes(v))) {
  console.error(`--variants must list some of ${VARIANTS.join(", ")}, got ${args.variants}`);
  process.exit(2);
}
const JOINS = numberOption(args, "joins", 1);
const WINDOW_S = numberOption(args, "seconds", 1);
const CAP_KBPS = numberOption(args, "kbps", 50);
/** how long the cost call may take to reach its bitrate before the window starts anyway */
const RAMP_UP_MS = 30_000;

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench:turn ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? round1(sorted[Math.floor(sorted.length / 2)]!) : null;
};

const { onCleanup, run } = benchCleanup(log);
const turnSecret = randomBytes(24).toString("base64url");

/** The servers' environment for a variant: direct has no TURN at all, the others relay everything through one URL. */
function variantEnv(variant: Variant, coturn: TestCoturn) {
  if (variant === "direct") return { web: { ICE_TRANSPORT_POLICY: "all" } };
  return relayEnv(coturn, variant, turnSecret);
}

interface RelayCost {
  /** median of the currentRoundTripTime samples (1 ms resolution in Chromium) */
  rttMs: number | null;
  /** mean RTT of the window's consent checks (totalRoundTripTime / responsesReceived deltas), finer grained */
  rttMeanMs: number | null;
  /** the cost call's selected candidate pairs */
  paths: string[];
  coturnCpuPct: number;
  bitrateKbps: number;
}

/**
 * One call of both people, each sending the noise camera (320x240@15) capped at CAP_KBPS, in a Chromium of its own
 * (the join pages keep Chromium's pattern camera, as in bench:join): once it runs near the cap, the candidate pairs'
 * RTT, coturn's CPU and the video bitrate over WINDOW_S seconds.
 */
async function measureRelayCost(webUrl: string, users: Array<{ cookie: string }>, noiseCamera: string, coturnPid: number): Promise<RelayCost | undefined> {
  const browser = await launchChromium({ args: ["--ignore-certificate-errors", `--use-file-for-fake-video-capture=${noiseCamera}`], handleSignals: false });
  onCleanup("Chromium (noise camera)", () => browser.close());
  try {
    const pages: Page[] = [];
    for (const user of users) {
      const page = await signedInPage(browser, user.cookie, { log });
      await recordPeerConnections(page);
      pages.push(page);
    }
    return await measureCall(webUrl, users[0]!.cookie, pages, coturnPid);
  } finally {
    await browser.close();
  }
}

async function measureCall(webUrl: string, hostCookie: string, pages: Page[], coturnPid: number): Promise<RelayCost | undefined> {
  const meeting = await webClient(webUrl, hostCookie).meeting.create.mutate({ title: "bench:turn cost", maxParticipants: 10, p2pMaxParticipants: 3 });
  try {
    for (const page of pages) {
      await openLobby(page, webUrl, meeting.code);
      await page.getByRole("button", { name: "Join now" }).click();
    }
    if (!(await until(pages, STEP_MS, everyoneSeesEveryone))) {
      log(`the cost call did not connect within ${STEP_MS} ms`);
      return undefined;
    }
    const capped = await Promise.all(pages.map((page) => capVideoBitrate(page, CAP_KBPS * 1000)));
    log(`video senders capped at ${CAP_KBPS} kbps: ${capped.join(", ")} per page`);
    const read = async () => ({ at: performance.now(), pages: await Promise.all(pages.map(readCallStats)) });
    type Reading = Awaited<ReturnType<typeof read>>;
    const kbpsBetween = (a: Reading, b: Reading) => a.pages.map((s, i) => ((b.pages[i]!.videoBytesReceived - s.videoBytesReceived) * 8) / (b.at - a.at));
    // the bandwidth estimate starts low and ramps up: wait until both streams arrive near the cap
    const rampDeadline = Date.now() + RAMP_UP_MS;
    for (let last = await read(); ;) {
      await sleep(1000);
      const now = await read();
      const kbps = kbpsBetween(last, now);
      last = now;
      if (kbps.every((k) => k >= CAP_KBPS * 0.8)) break;
      if (Date.now() > rampDeadline) {
        log(
          `the video did not reach 80% of ${CAP_KBPS} kbps within ${RAMP_UP_MS} ms (now ${kbps.map(Math.round).join(", ")} kbps; senders ${JSON.stringify(now.pages.map((s) => s.sending))}); measuring anyway`,
        );
        break;
      }
    }
    const cpuFrom = { at: performance.now(), ms: procCpuMs(coturnPid) };
    const first = await read();
    const rtts: number[] = [];
    let last = first;
    for (let i = 0; i < WINDOW_S; i++) {
      await sleep(1000);
      last = await read();
      for (const s of last.pages) if (s.rttMs !== null) rtts.push(s.rttMs);
    }
    const cpuPct = ((procCpuMs(coturnPid) - cpuFrom.ms) / (performance.now() - cpuFrom.at)) * 100;
    const kbps = kbpsBetween(first, last);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const responses = sum(last.pages.map((s, i) => s.rttResponses - first.pages[i]!.rttResponses));
    const rttTotalMs = sum(last.pages.map((s, i) => s.rttTotalS - first.pages[i]!.rttTotalS)) * 1000;
    const paths = new Set((await Promise.all(pages.map(selectedPairs))).flat().map(pathOf));
    return {
      rttMs: median(rtts),
      rttMeanMs: responses > 0 ? Math.round((rttTotalMs / responses) * 100) / 100 : null,
      paths: [...paths],
      coturnCpuPct: round1(cpuPct),
      bitrateKbps: Math.round(sum(kbps) / kbps.length),
    };
  } finally {
    await leave(pages, log);
  }
}

interface VariantResult {
  failed: number;
  joinMs: ReturnType<typeof percentiles> & { mean: number | null };
  paths: string[];
  cost: RelayCost | undefined;
}

async function runVariant(variant: Variant, browser: Browser, coturn: TestCoturn, noiseCamera: string): Promise<VariantResult> {
  const servers = await startMeetingServers({ onCleanup, log }, variantEnv(variant, coturn));
  const pages: Page[] = [];
  try {
    const users = await Promise.all([newUser(servers.webUrl, "Person 1"), newUser(servers.webUrl, "Person 2")]);
    for (const user of users) {
      const page = await signedInPage(browser, user.cookie, { log });
      await recordPeerConnections(page);
      pages.push(page);
    }
    const paths = new Set<string>();
    const times: number[] = [];
    for (let i = 1; i <= JOINS; i++) {
      const sample = await measureJoin({
        webUrl: servers.webUrl,
        hostCookie: users[0]!.cookie,
        pages,
        p2pMaxParticipants: 3,
        title: `bench:turn ${variant}`,
        log,
        afterJoin: async (inCall) => {
          for (const page of inCall) for (const pair of await selectedPairs(page)) paths.add(pathOf(pair));
        },
      });
      if (sample) times.push(sample.joiner);
      log(`${variant} join ${i}/${JOINS}: ${sample ? `${Math.round(sample.joiner)} ms` : "did not complete"}`);
    }
    const cost = await measureRelayCost(servers.webUrl, users, noiseCamera, coturn.pid);
    for (const type of cost?.paths ?? []) paths.add(type);
    log(`${variant}: ${JSON.stringify(cost)}, paths ${[...paths].join(", ")}`);
    const mean = times.length ? Math.round(times.reduce((a, b) => a + b, 0) / times.length) : null;
    return { failed: JOINS - times.length, joinMs: { ...percentiles(times), mean }, paths: [...paths], cost };
  } finally {
    await Promise.allSettled(pages.map((page) => page.context().close()));
    await servers.stop();
  }
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-bench-turn-"));
  onCleanup("temporary folder", () => rm(dir, { recursive: true, force: true }));
  const noiseCamera = path.join(dir, "noise.y4m");
  await writeNoiseY4m(noiseCamera, { width: 320, height: 240, fps: 15, seconds: 2 });
  await startDatabases({ onCleanup, log }, "turn");
  const coturn = await startCoturn({ secret: turnSecret, relayPorts: 64 });
  onCleanup("coturn", () => coturn.stop());
  // the test coturn's TLS certificate is self-signed
  const browser = await launchChromium({ args: ["--ignore-certificate-errors"], handleSignals: false });
  onCleanup("Chromium", () => browser.close());
  log(`coturn ${coturn.urls.join(", ")} (pid ${coturn.pid})`);
  const results: Partial<Record<Variant, VariantResult>> = {};
  for (const variant of SELECTED) results[variant] = await runVariant(variant, browser, coturn, noiseCamera);
  const per = <T>(pick: (r: VariantResult) => T) => Object.fromEntries(SELECTED.map((v) => [v, pick(results[v]!)]));
  const directRtt = results.direct?.cost?.rttMs ?? null;
  const relayed = SELECTED.filter((v) => v !== "direct");
  const extra = (rtt: number | null | undefined) => (rtt != null && directRtt !== null ? round1(rtt - directRtt) : null);
  const summary = {
    joins: JOINS,
    join_ms: per((r) => r.joinMs),
    failed_joins: per((r) => r.failed),
    paths: per((r) => r.paths),
    rtt_ms: per((r) => r.cost?.rttMs ?? null),
    rtt_mean_ms: per((r) => r.cost?.rttMeanMs ?? null),
    relay_extra_rtt_ms: Object.fromEntries(relayed.map((v) => [v, extra(results[v]!.cost?.rttMs)])),
    coturn_cpu_pct: per((r) => r.cost?.coturnCpuPct ?? null),
    bitrate_kbps: per((r) => r.cost?.bitrateKbps ?? null),
    bitrate_cap_kbps: CAP_KBPS,
    window_s: WINDOW_S,
  };
  // one video load per run (--kbps): per path, its RTT and coturn's CPU at the bitrate the call reached
  const atBitrate = (variants: Variant[], y: (cost: RelayCost) => number | null) =>
    variants.map((v) => {
      const cost = results[v]!.cost;
      const value = cost ? y(cost) : null;
      return { system: v === "direct" ? "qualmeet direct" : `qualmeet via coturn ${v}`, points: cost && value !== null ? [[cost.bitrateKbps, value] as [number, number]] : [] };
    });
  const bitrate = { label: "video received per stream", unit: "kbps" };
  printBenchResult({
    bench: "turn",
    results: summary,
    charts: [
      { title: "Call round-trip time by path", x: bitrate, y: { label: "candidate pair RTT (median)", unit: "ms" }, series: atBitrate(SELECTED, (c) => c.rttMs) },
      { title: "coturn CPU for one relayed call", x: bitrate, y: { label: "coturn CPU (100 = one core)", unit: "%" }, series: atBitrate(relayed, (c) => c.coturnCpuPct) },
    ],
  });
}

run(main, 10 * 60_000 + JOINS * SELECTED.length * 60_000);

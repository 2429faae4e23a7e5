// What the browser benchmarks (bench:join, bench:turn) start: PostgreSQL and Redis in a temporary folder, the
// tests' web build, web app + realtime node pairs on free ports (tests/harness/servers.ts), and signed-in
// Chromium pages carrying the join probe. Everything is registered with the bench's clean-up.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { applyMigrations } from "../../../packages/db/src/migrate.ts";
import { coturnUrl, type TestCoturn, type TurnTransport } from "../../../tests/harness/coturn.ts";
import { repoRoot } from "../../../tests/harness/paths.ts";
import { startRealtime, startWeb } from "../../../tests/harness/servers.ts";
import { buildTestWeb } from "../../../tests/harness/testBuild.ts";
import { buildRealtime } from "../../lib/serverBuild.ts";
import { freePort } from "../../lib/ports.ts";
import { startPostgres } from "../../lib/postgres.ts";
import { startRedis } from "../../lib/redis.ts";
import type { Cleanup } from "../cleanup.ts";
import { installProbe } from "./probe.ts";

/** how long one step of driving a page (a navigation, a click) may take */
export const STEP_MS = 40_000;

interface BenchContext {
  onCleanup: Cleanup["onCleanup"];
  log: (message: string) => void;
}

/**
 * Builds the web app (cached by turbo), starts PostgreSQL and Redis with the migrations applied, and puts what
 * the servers need into process.env (tests/harness/servers.ts passes it on): their URLs, a session secret, media on
 * loopback, and rate limits lifted for many joins from one address.
 */
export async function startDatabases(context: BenchContext, name: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `qualmeet-bench-${name}-`));
  context.onCleanup("temporary folder", () => rm(dir, { recursive: true, force: true }));
  context.log("building the web app and the realtime node (cached by turbo)");
  // the probe reads the pages' media topology (window.__qualmeet, a test hook)
  await buildTestWeb();
  await buildRealtime(repoRoot, { quiet: true });
  const postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), database: `qualmeet_bench`, log: context.log });
  context.onCleanup("PostgreSQL", () => postgres.stop());
  const redis = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false, log: context.log });
  context.onCleanup("Redis", () => redis.stop());
  await applyMigrations(postgres.url, path.join(repoRoot, "prisma/migrations"));
  Object.assign(process.env, {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    NEXT_TELEMETRY_DISABLED: "1",
    // media stays on loopback, as the browsers and coturn are: with the default (every interface) the SFU announces
    // the external address, which coturn's relay sockets bound to 127.0.0.1 cannot reach (relayed SFU calls got no frames)
    MEDIA_LISTEN_IP: "127.0.0.1",
    RATE_LIMIT_REGISTER_PER_HOUR: "10000",
    RATE_LIMIT_GUESTS_PER_HOUR: "10000",
    RATE_LIMIT_SIGNIN_PER_MIN: "10000",
    RATE_LIMIT_MEETING_LOOKUPS_PER_MIN: "100000",
    RATE_LIMIT_GLOBAL_PER_MIN: "100000",
    RATE_LIMIT_WS_UPGRADES_PER_MIN: "100000",
  });
}

export interface MeetingServers {
  webUrl: string;
  wsUrl: string;
  /** stops both (also done by the clean-up, for a run that fails first) */
  stop(): Promise<void>;
}

/** One realtime node and a web app sending pages to it; `webEnv`/`realtimeEnv` add to process.env. */
export async function startMeetingServers(context: BenchContext, env: { web?: Record<string, string>; realtime?: Record<string, string> } = {}): Promise<MeetingServers> {
  const webPort = await freePort();
  const realtime = await startRealtime({ allowedOrigins: [`http://localhost:${webPort}`], env: env.realtime });
  context.onCleanup("realtime node", () => realtime.stop());
  const web = await startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl, ...env.web } });
  context.onCleanup("web app", () => web.stop());
  return { webUrl: web.url, wsUrl: realtime.wsUrl, stop: async () => void (await Promise.allSettled([web.stop(), realtime.stop()])) };
}

/**
 * The servers' environment for calls relayed through `coturn` over `transport` only: the web app tells the pages to
 * gather relayed candidates alone (ICE_TRANSPORT_POLICY=relay), the realtime node hands out credentials for that
 * one URL (every join asks for one: the daily quota is lifted).
 */
export function relayEnv(coturn: Pick<TestCoturn, "urls">, transport: TurnTransport, secret: string): { web: Record<string, string>; realtime: Record<string, string> } {
  return { web: { ICE_TRANSPORT_POLICY: "relay" }, realtime: { TURN_URLS: coturnUrl(coturn, transport), TURN_SECRET: secret, TURN_DAILY_QUOTA: "100000" } };
}

/**
 * A page in its own browser context, signed in with `cookie` (a Cookie header), with the join probe installed.
 * `trace` turns on the engine's media trace and logs the page's console lines.
 */
export async function signedInPage(browser: Browser, cookie: string, options: { log: (message: string) => void; trace?: boolean }): Promise<Page> {
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
  if (options.trace) await context.addInitScript({ content: "window.__qualmeetDebug = true;" });
  const page = await context.newPage();
  page.on("pageerror", (error) => options.log(`page error: ${error.message}`));
  // the engine's and the mesh's debug lines, each with the page it comes from
  if (options.trace) page.on("console", (message) => options.log(`  page ${cookie.slice(-6)}: ${message.text()}`));
  return page;
}

/** p50, p95 and max (rounded ms) of `values`; null when there are none. */
export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!) : null);
  return { n: sorted.length, p50: at(50), p95: at(95), max: at(100) };
}

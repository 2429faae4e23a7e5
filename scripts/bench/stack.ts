// The QualMeet servers a benchmark starts on free ports: the web app (only for the sign-ins, then stopped) and
// the realtime nodes, with the environment they share. Their output goes to our stderr, prefixed: a
// benchmark's stdout carries only its JSON result.
import { randomBytes } from "node:crypto";
import { signIn, type SignInResult } from "../../tests/harness/clients.ts";
import { freePort, mediaPortEnv } from "../lib/ports.ts";
import { spawnServer, waitForHttp, type ManagedProcess } from "../lib/processes.ts";
import { buildRealtime, spawnRealtime, WEB_SERVER_ENTRY } from "../lib/serverBuild.ts";
import type { Cleanup } from "./cleanup.ts";

export type ServerEnv = Record<string, string | undefined>;

/** The environment of the web app and the realtime nodes: rate limits lifted for a load test from one address. */
export function benchServerEnv(databaseUrl: string, redisUrl: string): ServerEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    NEXT_TELEMETRY_DISABLED: "1",
    RATE_LIMIT_GLOBAL_PER_MIN: "1000000000",
    RATE_LIMIT_WS_UPGRADES_PER_MIN: "1000000",
    RATE_LIMIT_CHAT_PER_10S: "1000000",
    RATE_LIMIT_REGISTER_PER_HOUR: "1000000",
    RATE_LIMIT_GUESTS_PER_HOUR: "1000000",
    RATE_LIMIT_SIGNIN_PER_MIN: "1000000",
    // every simulated client connects from this machine
    WS_MAX_SOCKETS_PER_IP: "1000000",
    RATE_LIMIT_MEETING_LOOKUPS_PER_MIN: "1000000",
  };
}

/** Child servers' stderr (and stdout) go to our stderr, prefixed: our stdout carries only the result. */
export function forwardOutput(proc: ManagedProcess): void {
  for (const stream of [proc.child.stdout, proc.child.stderr]) {
    let buffer = "";
    stream?.on("data", (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stderr.write(`  [${proc.name}] ${line}\n`);
    });
  }
}

interface StackContext {
  root: string;
  env: ServerEnv;
  onCleanup: Cleanup["onCleanup"];
  log: (message: string) => void;
}

/**
 * Starts the web app, signs every account in through next-auth (`concurrency` at a time, 3 tries each) and
 * stops the web app again. Returns the session cookies in the order of `emails`, the web app's URL (the
 * origin the realtime nodes must allow) and how long the sign-ins took.
 */
export function signInThroughWebApp(
  context: StackContext,
  emails: string[],
  password: string,
  concurrency: number,
): Promise<{ cookies: string[]; webUrl: string; signInMs: number }> {
  return sessionsThroughWebApp(context, emails, (webUrl, email) => signIn(webUrl, { email, password }), concurrency);
}

/** As signInThroughWebApp, for guests: one guest session per display name. */
export function guestsThroughWebApp(context: StackContext, names: string[], concurrency: number): Promise<{ cookies: string[]; webUrl: string; signInMs: number }> {
  return sessionsThroughWebApp(context, names, (webUrl, name) => signIn(webUrl, { name }, "guest"), concurrency);
}

async function sessionsThroughWebApp(
  context: StackContext,
  logins: string[],
  signInOne: (webUrl: string, login: string) => Promise<SignInResult>,
  concurrency: number,
): Promise<{ cookies: string[]; webUrl: string; signInMs: number }> {
  const webPort = await freePort();
  const webUrl = `http://localhost:${webPort}`;
  const web = spawnServer({
    name: "web",
    root: context.root,
    script: WEB_SERVER_ENTRY,
    env: { ...context.env, NODE_ENV: "production", PORT: String(webPort), HOST: "127.0.0.1", NEXTAUTH_URL: webUrl },
    output: "ignore",
  });
  context.onCleanup("web app", () => web.stop());
  forwardOutput(web);
  await waitForHttp(`${webUrl}/api/health`, web, 60_000, true);
  const signInStart = performance.now();
  const cookies: string[] = new Array(logins.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < logins.length) {
      const i = next++;
      let result = await signInOne(webUrl, logins[i]!);
      for (let attempt = 1; !result.ok && attempt < 3; attempt++) result = await signInOne(webUrl, logins[i]!);
      if (!result.ok) throw new Error(`sign-in of ${logins[i]} failed: ${result.error}`);
      cookies[i] = result.cookie;
      if (++done % 200 === 0) context.log(`${done}/${logins.length} signed in`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const signInMs = performance.now() - signInStart;
  context.log(`${logins.length} sign-ins through next-auth in ${(signInMs / 1000).toFixed(1)}s; stopping the web app`);
  await web.stop();
  return { cookies, webUrl, signInMs };
}

export interface RealtimeNode {
  /** ws://127.0.0.1:PORT */
  url: string;
  proc: ManagedProcess;
}

/** Starts `count` realtime nodes that accept sockets from `webUrl`, and waits until each one answers. */
export async function startRealtimeNodes(context: StackContext, options: { count: number; webUrl: string; mediaWorkers: number; extraEnv?: ServerEnv }): Promise<RealtimeNode[]> {
  const nodes: RealtimeNode[] = [];
  // production's compiled node (turbo cache: built only when its sources changed)
  await buildRealtime(context.root, { quiet: true });
  for (let n = 0; n < options.count; n++) {
    const port = await freePort();
    // the nodes share this machine: each gets its own media ports
    const mediaPort = await mediaPortEnv(options.mediaWorkers);
    const proc = spawnRealtime({
      name: `realtime-${n}`,
      root: context.root,
      args: ["--port", String(port)],
      env: { ...context.env, ALLOWED_ORIGINS: options.webUrl, HOST: "127.0.0.1", MEDIA_WORKERS: String(options.mediaWorkers), ...mediaPort, ...options.extraEnv },
      output: "ignore",
    });
    context.onCleanup(`realtime node ${n}`, () => proc.stop());
    forwardOutput(proc);
    nodes.push({ url: `ws://127.0.0.1:${port}`, proc });
  }
  for (const node of nodes) await waitForHttp(`${node.url.replace("ws:", "http:")}/healthz`, node.proc, 60_000, true);
  return nodes;
}

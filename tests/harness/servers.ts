// Servers for integration and end-to-end tests, started per test file against the PostgreSQL and Redis
// that tests/harness/globalSetup.ts started (their URLs are in process.env).
import { freePort, mediaPortEnv } from "../../scripts/lib/ports.ts";
import { spawnServer, waitForHttp, type ManagedProcess } from "../../scripts/lib/processes.ts";
import { spawnRealtime, WEB_SERVER_ENTRY } from "../../scripts/lib/serverBuild.ts";
import { repoRoot } from "./paths.ts";

const quiet = process.env.TEST_SERVER_LOGS ? "prefix" : "ignore";

export interface WebServer {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface RealtimeServer {
  /** ws://localhost:PORT */
  wsUrl: string;
  httpUrl: string;
  port: number;
  process: ManagedProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The global setup's stack is there only for integration and e2e tests: say so instead of a server that never starts. */
function requireTestStack(): void {
  if (process.env.DATABASE_URL && process.env.REDIS_URL) return;
  throw new Error("DATABASE_URL and REDIS_URL are not set: a test that starts servers is an integration test, name its file *.int.test.ts (README, Development)");
}

/** The web app (built by globalSetup, with its compiled custom server) on a free port. */
export async function startWeb(options: { env?: Record<string, string>; port?: number } = {}): Promise<WebServer> {
  requireTestStack();
  const port = options.port ?? (await freePort());
  const url = `http://localhost:${port}`;
  const proc = spawnServer({
    name: `web:${port}`,
    root: repoRoot,
    script: WEB_SERVER_ENTRY,
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), NEXTAUTH_URL: url, ...options.env },
    output: quiet,
  });
  await waitForHttp(`${url}/api/health`, proc, 60_000, true);
  return { url, port, process: proc, stop: () => proc.stop() };
}

/** One realtime node (the compiled one production runs, built by globalSetup) on a free port; pages at `allowedOrigins` may open sockets to it. */
export async function startRealtime(options: { env?: Record<string, string>; allowedOrigins?: string[]; port?: number } = {}): Promise<RealtimeServer> {
  requireTestStack();
  const port = options.port ?? (await freePort());
  // nodes of one test (and of other test files) share this machine: each gets its own media ports
  const mediaPort = await mediaPortEnv(options.env?.MEDIA_WORKERS ?? process.env.MEDIA_WORKERS);
  const proc = spawnRealtime({
    name: `realtime:${port}`,
    root: repoRoot,
    args: ["--port", String(port)],
    env: { ...process.env, ALLOWED_ORIGINS: (options.allowedOrigins ?? ["http://localhost:3000"]).join(","), ...mediaPort, ...options.env },
    output: quiet,
  });
  await waitForHttp(`http://localhost:${port}/healthz`, proc, 30_000, true);
  return { wsUrl: `ws://localhost:${port}`, httpUrl: `http://localhost:${port}`, port, process: proc, stop: (signal) => proc.stop(signal) };
}

/** What a realtime node's /healthz says with the operators' token (HEALTH_DETAILS_TOKEN from the global setup). */
export async function healthDetails(node: Pick<RealtimeServer, "httpUrl">): Promise<{
  nodeId: string;
  media: { workers?: Array<{ pid: number; routers: number }>; rooms: Array<{ meetingId: string; participants: number; transports: number; consumers: number }> };
}> {
  const res = await fetch(`${node.httpUrl}/healthz`, { headers: { authorization: `Bearer ${process.env.HEALTH_DETAILS_TOKEN}` } });
  return (await res.json()) as Awaited<ReturnType<typeof healthDetails>>;
}

// Redis for development and tests: REDIS_URL when given; else a redis-server from PATH on its own port with
// its data under the project (installed with apt when missing and possible).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { ensureDebianBinary } from "./debianPackage.ts";
import { run } from "./run.ts";
import { isPortOpen } from "./ports.ts";

export interface RedisServer {
  url: string;
  port: number;
  /** the redis-server process this run started (null when an existing server is reused) */
  process: ChildProcess | null;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "Redis is required. Install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu), " + "or point QualMeet at a running server with REDIS_URL=redis://host:port.";

export async function ensureRedisServerBinary(log: (line: string) => void = () => {}): Promise<string> {
  return ensureDebianBinary("redis-server", "redis-server", { log, hint: INSTALL_HINT });
}

async function ping(port: number): Promise<boolean> {
  if (!(await isPortOpen(port))) return false;
  return (await run("redis-cli", ["-p", String(port), "ping"])).stdout.trim() === "PONG";
}

export async function startRedis(options: { dataDir: string; port: number; reuseExisting: boolean; log?: (line: string) => void }): Promise<RedisServer> {
  const { dataDir, port } = options;
  const log = options.log ?? (() => {});
  const binary = await ensureRedisServerBinary(log);
  if (options.reuseExisting && (await ping(port))) {
    log(`reusing the Redis server already on port ${port}`);
    return { url: `redis://127.0.0.1:${port}`, port, process: null, stop: async () => {} };
  }
  await mkdir(dataDir, { recursive: true });
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--dir", dataDir, "--save", "60 1", "--appendonly", "no", "--daemonize", "no", "--logfile", ""], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// Child servers started by `npm start` and by tests: spawned as `node` directly (so the PID is the server
// itself), waited for on an HTTP health URL, stopped by PID. The product's servers run compiled (plain node, see
// scripts/lib/serverBuild.ts); a benchmark peer written in TypeScript runs through node's own type stripping.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerOptions {
  name: string;
  root: string;
  /** relative to root */
  script: string;
  args?: string[];
  env: Record<string, string | undefined>;
  output?: "inherit" | "prefix" | "ignore";
}

/**
 * A server run by plain node: a compiled one (dist/*.js), or a TypeScript file of erasable syntax only, which node
 * runs by stripping its types (a benchmark's peer, no loader to weigh on its memory); `nodeArgs` go before the script.
 */
export function spawnServer(options: ServerOptions, nodeArgs: string[] = []): ManagedProcess {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(options.root, options.script), ...(options.args ?? [])], {
    cwd: options.root,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", options.output === "inherit" ? "inherit" : "pipe", options.output === "inherit" ? "inherit" : "pipe"],
  });
  if (options.output !== "inherit") {
    const prefix = `[${options.name}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = "";
      stream?.on("data", (d: Buffer) => {
        if (options.output === "ignore") return;
        buffer += d.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) process.stdout.write(prefix + line + "\n");
      });
    }
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name: options.name,
    child,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `url` answers (any HTTP status when `anyStatus`, else 200); rejects on timeout or exit. */
export async function waitForHttp(url: string, processToWatch: ManagedProcess, timeoutMs: number, anyStatus = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (processToWatch.child.exitCode !== null) throw new Error(`${processToWatch.name} exited with code ${processToWatch.child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (anyStatus || res.ok) return;
      lastError = `HTTP ${res.status}: ${await res.text()}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${processToWatch.name}: ${url} did not answer within ${timeoutMs} ms (${lastError})`);
}

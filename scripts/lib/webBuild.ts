import path from "node:path";
import { spawn } from "node:child_process";
import { readdir, rm } from "node:fs/promises";

/**
 * Builds the web app (Next's build and its custom server, apps/web/dist/server.js) through turbo, whose cache makes an unchanged build take a second (one cached build per
 * variant). `testHooks` builds the variant tests and the join benchmark drive: with `window.__qualmeet` (stats,
 * topology) and `window.__listenTogether`; the product's build (`npm start`) has neither. `env` adds to the
 * environment (turbo passes a task only the variables turbo.json names).
 */
export async function buildWeb(root: string, options: { quiet?: boolean; testHooks?: boolean; env?: Record<string, string> } = {}): Promise<void> {
  // turbo restores a cached build over what is there without removing files: the other variant's chunks (with or
  // without the test hooks) would stay beside it. Next's own cache (.next/cache) stays, for fast rebuilds.
  const dist = path.join(root, "apps/web/.next");
  const entries = await readdir(dist).catch(() => []);
  await Promise.all(entries.filter((entry) => entry !== "cache").map((entry) => rm(path.join(dist, entry), { recursive: true, force: true })));
  return turboBuild(root, "@qualmeet/web", { quiet: options.quiet, env: { QUALMEET_TEST_HOOKS: options.testHooks ? "1" : "", ...options.env } });
}

/** `turbo run build` for one workspace: rebuilt when its inputs changed since a cached build, else restored. */
export function turboBuild(root: string, workspace: string, options: { quiet?: boolean; env?: Record<string, string> } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/turbo/bin/turbo"), "run", "build", `--filter=${workspace}`, "--output-logs=errors-only"], {
      cwd: root,
      stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", ...options.env },
    });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${workspace} build failed (exit ${code})\n${output.slice(-4000)}`))));
  });
}

import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Per machine, outside any clone, so a fresh clone's `npm ci` finds what an earlier install built. */
export const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "qualmeet/mediasoup");

// Losing the terminal (a closed pipe) must not kill a build half way: the build log has everything.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

export function log(message: string): void {
  console.log(`mediasoup worker: ${message}`);
}

export function warn(message: string): void {
  console.warn(`mediasoup worker: ${message}`);
}

export interface Mediasoup {
  dir: string;
  version: string;
  repositoryUrl: string | null; // its GitHub repository, whose releases carry the prebuilt workers
  target: string; // where mediasoup looks for the worker
  stampFile: string; // what this script installed there, to make the next run a no-op
}

export function findMediasoup(): Mediasoup | null {
  // Resolved the way @qualmeet/media resolves it (npm hoists it to the root node_modules).
  const require = createRequire(path.join(root, "packages/media/package.json"));
  let dir: string;
  try {
    dir = path.dirname(require.resolve("mediasoup")); // its "exports" hide package.json: walk up to it
  } catch {
    return null;
  }
  while (!fs.existsSync(path.join(dir, "package.json")) || !fs.existsSync(path.join(dir, "worker"))) {
    if (path.dirname(dir) === dir) return null;
    dir = path.dirname(dir);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string; repository?: { url?: string } };
  const releaseDir = path.join(dir, "worker/out/Release");
  return {
    dir,
    version: pkg.version,
    repositoryUrl: pkg.repository?.url?.replace(/^git\+/, "").replace(/\.git$/, "") ?? null,
    target: path.join(releaseDir, "mediasoup-worker"),
    stampFile: path.join(releaseDir, ".qualmeet-worker.json"),
  };
}

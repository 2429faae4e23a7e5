import os from "node:os";
import path from "node:path";

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

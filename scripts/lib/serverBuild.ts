// The realtime node's compiled build (apps/realtime/dist/main.js, bundled by scripts/build-server.ts), which
// `npm start`, the benchmarks and the tests run with plain node. turbo decides staleness: sources of the app, of the
// workspace packages or of the build script changed since the cached build -> rebuilt (about a second), else restored.
import { spawnServer, type ManagedProcess, type ServerOptions } from "./processes.ts";
import { turboBuild } from "./webBuild.ts";

export const REALTIME_ENTRY = "apps/realtime/dist/main.js";
/**
 * V8 flags of every realtime node (npm start, tests, benchmarks, deploy/), measured by bench:signaling. Node's default
 * young generation grows to 16 MB semi-spaces during start-up and keeps them (an idle node held heapTotal 97 MB for
 * 44 MB used): 2 MB semi-spaces are collected more often in smaller steps. --optimize-for-size makes V8 grow the heap
 * and keep memory less eagerly: with 1,000 clients connected the two nodes went from 440 MB to 326 MB, with the same
 * delivery and about 4% more CPU.
 */
export const REALTIME_NODE_FLAGS = ["--max-semi-space-size=2", "--optimize-for-size"];
/**
 * Environment of every realtime node (as the flags above). glibc's malloc serves blocks under its mmap threshold from
 * arenas it rarely gives back, and raises that threshold (up to 32 MB) each time a large block is freed, so buffers
 * of start-up (the Prisma engine's wasm, the bundle's source) stay resident. A fixed 64 kB threshold and a 128 kB trim
 * threshold return them: an idle node's RSS went from 118-129 MB to 113-119 MB (README, Performance).
 */
export const REALTIME_NODE_ENV = { GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072" };
/** The web app's custom server, built with the web app (buildWeb). */
export const WEB_SERVER_ENTRY = "apps/web/dist/server.js";

export function buildRealtime(root: string, options: { quiet?: boolean } = {}): Promise<void> {
  return turboBuild(root, "@qualmeet/realtime", options);
}

/** A realtime node: the compiled entry point run by plain node with REALTIME_NODE_FLAGS and REALTIME_NODE_ENV. */
export function spawnRealtime(options: Omit<ServerOptions, "script">): ManagedProcess {
  return spawnServer({ ...options, env: { ...REALTIME_NODE_ENV, ...options.env }, script: REALTIME_ENTRY }, REALTIME_NODE_FLAGS);
}

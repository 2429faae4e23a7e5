// Makes sure mediasoup's native worker binary is where mediasoup looks for it at run time
// (node_modules/mediasoup/worker/out/Release/mediasoup-worker). Runs as part of the root
// postinstall, so `npm install` and `npm ci` take care of it on any machine:
//
//   1. a worker already installed by this script for this mediasoup version and these libraries: done;
//   2. a worker in the per-machine cache (~/.cache/qualmeet/mediasoup/<key>/): copied in, seconds;
//   3. mediasoup's own prebuilt worker from its GitHub release (machines with internet);
//   4. otherwise a build from the sources inside the npm package against Debian's libraries
//      (build.ts), about 4 minutes on 2 cores, then cached.
//
// mediasoup's own postinstall is denied in the root package.json ("allowScripts"): offline it
// fails and takes the whole `npm install` down with it. This script never fails the install: when
// no worker can be had it says what to install, and meetings report the media server unavailable.
//
//   node --import tsx scripts/mediasoup/ensure-worker.ts            (npm run mediasoup:worker)
//   node --import tsx scripts/mediasoup/ensure-worker.ts --rebuild  (skip cache and prebuilt, build)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildWorker, BuildImpossible, sourceBuildKey } from "./build.ts";
import { cacheRoot, findMediasoup, log, warn, type Mediasoup } from "./common.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const smokeTest = path.join(root, "scripts/mediasoup/smoke-test.ts");

type Source = "prebuilt" | "source-build";
interface Stamp {
  key: string;
  source: Source;
  mediasoupVersion: string;
  sha256: string;
}

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The worker exits with 41 when started without MEDIASOUP_VERSION: proof that it loads and runs here. */
function runsHere(bin: string): boolean {
  const result = spawnSync(bin, [], { env: {} as NodeJS.ProcessEnv, stdio: "ignore", timeout: 10_000 });
  return result.status === 41;
}

/** A real Worker, Router and WebRtcTransport on 127.0.0.1 with this binary (smoke-test.ts). */
function passesSmokeTest(bin: string): boolean {
  const result = spawnSync(process.execPath, ["--import", "tsx", smokeTest], {
    cwd: root,
    env: { ...process.env, MEDIASOUP_WORKER_BIN: bin },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status === 0) return true;
  warn(`smoke test failed for ${bin}:\n${(result.stdout ?? "") + (result.stderr ?? "")}`.trimEnd());
  return false;
}

/** Copy next to the target, then rename: a worker that is running keeps its old file (no ETXTBSY). */
function install(ms: Mediasoup, bin: string, stamp: Omit<Stamp, "sha256" | "mediasoupVersion">): void {
  fs.mkdirSync(path.dirname(ms.target), { recursive: true });
  const tmp = `${ms.target}.tmp-${process.pid}`;
  fs.copyFileSync(bin, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, ms.target);
  const full: Stamp = { ...stamp, mediasoupVersion: ms.version, sha256: sha256(ms.target) };
  fs.writeFileSync(ms.stampFile, JSON.stringify(full, null, 2) + "\n");
}

/** Stores a verified binary in the cache under `key`, atomically (a folder renamed into place). */
function storeInCache(key: string, bin: string, info: Record<string, unknown>): string {
  const dir = path.join(cacheRoot, key);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.copyFileSync(bin, path.join(tmp, "mediasoup-worker"));
  fs.chmodSync(path.join(tmp, "mediasoup-worker"), 0o755);
  fs.writeFileSync(path.join(tmp, "info.json"), JSON.stringify({ key, ...info, storedAt: new Date().toISOString() }, null, 2) + "\n");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return path.join(dir, "mediasoup-worker");
}

function cached(key: string): string | null {
  const bin = path.join(cacheRoot, key, "mediasoup-worker");
  return fs.existsSync(bin) ? bin : null;
}

function prebuiltKey(ms: Mediasoup): string {
  // The same name mediasoup's own postinstall downloads (npm-scripts.mjs, getWorkerPrebuildTarName).
  const kernel = os.platform() === "linux" ? `-kernel${os.release().split(".")[0]}` : "";
  return `mediasoup-worker-${ms.version}-${os.platform()}-${os.arch()}${kernel}`;
}

/** mediasoup's own prebuilt worker from its release page; null when unreachable or not runnable here. */
async function downloadPrebuilt(ms: Mediasoup): Promise<string | null> {
  const base = process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL || (ms.repositoryUrl && `${ms.repositoryUrl}/releases/download`);
  if (!base) return null;
  const url = `${base}/${ms.version}/${prebuiltKey(ms)}.tgz`;
  let body: ArrayBuffer;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    if (!res.ok) {
      log(`no prebuilt worker (${res.status} from ${url})`);
      return null;
    }
    body = await res.arrayBuffer();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    log(`prebuilt worker not reachable (${cause ?? (error as Error).message}): this machine is offline or GitHub is blocked`);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qualmeet-mediasoup-prebuilt-"));
  try {
    fs.writeFileSync(path.join(dir, "worker.tgz"), Buffer.from(body));
    const tar = spawnSync("tar", ["-xzf", "worker.tgz"], { cwd: dir, encoding: "utf8" });
    const bin = path.join(dir, "mediasoup-worker");
    if (tar.status !== 0 || !fs.existsSync(bin)) {
      warn(`prebuilt worker archive unusable: ${tar.stderr || "no mediasoup-worker inside"}`);
      return null;
    }
    fs.chmodSync(bin, 0o755);
    if (!runsHere(bin) || !passesSmokeTest(bin)) {
      warn("the prebuilt worker does not run on this machine (C library too old?)");
      return null;
    }
    return storeInCache(prebuiltKey(ms), bin, { source: "prebuilt", url });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function currentStamp(ms: Mediasoup): Stamp | null {
  try {
    return JSON.parse(fs.readFileSync(ms.stampFile, "utf8")) as Stamp;
  } catch {
    return null;
  }
}

/** True when the installed worker is one this script put there for this version and these libraries. */
function installedIsCurrent(ms: Mediasoup, stamp: Stamp | null, sourceKey: string | null): boolean {
  if (!stamp || !fs.existsSync(ms.target) || stamp.mediasoupVersion !== ms.version) return false;
  const keyStillValid = stamp.source === "prebuilt" ? stamp.key === prebuiltKey(ms) : stamp.key === sourceKey;
  return keyStillValid && sha256(ms.target) === stamp.sha256 && runsHere(ms.target);
}

async function main(): Promise<void> {
  const rebuild = process.argv.includes("--rebuild");
  if (process.env.MEDIASOUP_WORKER_BIN) {
    log(`MEDIASOUP_WORKER_BIN is set (${process.env.MEDIASOUP_WORKER_BIN}): mediasoup uses that binary, nothing to do`);
    return;
  }
  const ms = findMediasoup();
  if (!ms) {
    log("mediasoup is not installed (packages/media), nothing to do");
    return;
  }

  const sourceKey = sourceBuildKey(ms.version); // null while the Debian build packages are missing
  if (!rebuild && installedIsCurrent(ms, currentStamp(ms), sourceKey)) {
    log(`worker for mediasoup ${ms.version} already in place`);
    return;
  }

  if (!rebuild) {
    for (const [key, source] of [
      [prebuiltKey(ms), "prebuilt"],
      [sourceKey, "source-build"],
    ] as const) {
      const bin = key && cached(key);
      if (!bin) continue;
      if (runsHere(bin) && passesSmokeTest(bin)) {
        install(ms, bin, { key: key!, source });
        log(`worker for mediasoup ${ms.version} restored from the cache (${path.dirname(bin)})`);
        return;
      }
      warn(`cached worker ${bin} does not work any more, replacing it`);
    }

    if (process.env.MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD) {
      log("MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD is set: not downloading mediasoup's prebuilt worker");
    } else {
      log(`downloading mediasoup's prebuilt worker ${prebuiltKey(ms)}`);
      const bin = await downloadPrebuilt(ms);
      if (bin) {
        install(ms, bin, { key: prebuiltKey(ms), source: "prebuilt" });
        log(`installed mediasoup's prebuilt worker ${ms.version}`);
        return;
      }
    }
  }

  const built = await buildWorker({
    version: ms.version,
    workerSources: path.join(ms.dir, "worker"),
    force: rebuild,
    verify: (bin) => runsHere(bin) && passesSmokeTest(bin),
    store: (key, bin, info) => storeInCache(key, bin, { source: "source-build", ...info }),
    cached,
  });
  install(ms, built.bin, { key: built.key, source: "source-build" });
  log(`installed the worker built from source (${ms.target})`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof BuildImpossible) {
      warn(error.message);
    } else {
      warn(`could not provide the mediasoup worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      warn("retry with `npm run mediasoup:worker`; until then meetings report the media server unavailable");
    }
    // Never fail `npm install` over this: the rest of the project works without media.
    process.exit(0);
  },
);

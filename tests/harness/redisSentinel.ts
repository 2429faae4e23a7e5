// A real Redis Sentinel group for failover tests: a master and two replicas started with the shipped
// deploy/redis/redis.conf, and three Sentinels from the shipped deploy/redis/sentinel.conf (only the master's
// address and the timeouts changed: down after 1 s instead of 5 s), all on free loopback ports, from Debian's
// `redis-server` and `redis-sentinel`. `killMaster` SIGKILLs the master and waits until the Sentinels name another.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { createRedis } from "../../packages/api/src/services/redis.ts";
import { ensureDebianBinary } from "../../scripts/lib/debianPackage.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { repoRoot } from "./paths.ts";

const NAME = "qualmeet";
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 5000;

export interface SentinelGroup {
  /** the servers' configuration for this group: REDIS_SENTINELS, REDIS_SENTINEL_NAME (and REDIS_URL unset) */
  env: Record<string, string>;
  /** the port of the master the Sentinels name now */
  masterPort(): Promise<number>;
  /**
   * SIGKILLs the master; resolves with the new master's port once a Sentinel names it, and how long that took.
   * `replicationCutMs`: the master's links to its replicas are cut that long before the kill (their connections
   * closed and their PSYNC refused by an ACL rule), so it dies holding acknowledged writes no replica received (a
   * broken link, a lagging replica: what asynchronous replication allows). Freezing the replicas (SIGSTOP) does not
   * do it: the kernel keeps receiving for them, and they read it all once thawed. Kept well under the Sentinels'
   * down-after time, so the replicas stay candidates for promotion.
   */
  killMaster(options?: { replicationCutMs?: number }): Promise<{ killedPort: number; newMasterPort: number; promotedAfterMs: number }>;
  /** Starts the killed servers again on their ports; resolves once the master has two replicas again (Sentinel re-points them). */
  restartKilled(): Promise<void>;
  stop(): Promise<void>;
}

interface Server {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
  args: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startProcess(binary: string, args: string[], name: string): Server & { output: () => string } {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { port: Number(args[args.indexOf("--port") + 1]), child, exited, args, output: () => `${name}: ${output}` };
}

/** Until `check` is true (polled every 100 ms), or throws naming `what` after `timeoutMs`. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Sentinel group: ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function startSentinelGroup(): Promise<SentinelGroup> {
  const redisServer = await ensureDebianBinary("redis-server", "redis-server");
  const redisSentinel = await ensureDebianBinary("redis-sentinel", "redis-sentinel");
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-sentinel-"));
  const servers: Array<Server & { output: () => string }> = [];
  const sentinels: Array<Server & { output: () => string }> = [];
  const probes: Redis[] = [];
  const stop = async () => {
    for (const probe of probes) probe.disconnect();
    for (const s of [...sentinels, ...servers]) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGTERM");
    await Promise.all([...sentinels, ...servers].map((s) => s.exited));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const startServer = async (replicaOf: number | null) => {
      const port = await freePort();
      const data = path.join(dir, `redis-${port}`);
      await mkdir(data);
      // a copy: Sentinel has each server rewrite its file (CONFIG REWRITE) when it re-points replicas
      const conf = path.join(data, "redis.conf");
      await copyFile(path.join(repoRoot, "deploy/redis/redis.conf"), conf);
      const args = [conf, "--port", String(port), "--bind", "127.0.0.1", "--dir", data, "--daemonize", "no", "--logfile", ""];
      const server = startProcess(redisServer, replicaOf === null ? args : [...args, "--replicaof", "127.0.0.1", String(replicaOf)], `redis-server ${port}`);
      servers.push(server);
      const probe = createRedis({ url: `redis://127.0.0.1:${port}` }, "sentinel-group-probe", { lazyConnect: true });
      probes.push(probe);
      await until(`redis-server on port ${port} did not answer (${server.output()})`, 10_000, async () => (await probe.ping()) === "PONG");
      return port;
    };
    const masterPort = await startServer(null);
    await Promise.all([startServer(masterPort), startServer(masterPort)]);

    const shipped = await readFile(path.join(repoRoot, "deploy/redis/sentinel.conf"), "utf8");
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = path.join(dir, `sentinel-${port}.conf`);
      const conf = shipped
        .replace(/^port \d+$/m, `port ${port}\nbind 127.0.0.1\ndir ${dir}`)
        .replace(/^sentinel monitor qualmeet \S+ \d+ (\d+)$/m, `sentinel monitor ${NAME} 127.0.0.1 ${masterPort} $1`)
        .replace(/^sentinel down-after-milliseconds qualmeet \d+$/m, `sentinel down-after-milliseconds ${NAME} ${DOWN_AFTER_MS}`)
        .replace(/^sentinel failover-timeout qualmeet \d+$/m, `sentinel failover-timeout ${NAME} ${FAILOVER_TIMEOUT_MS}`);
      await writeFile(file, conf);
      sentinels.push(startProcess(redisSentinel, [file, "--port", String(port)], `redis-sentinel ${port}`));
    }
    const sentinelProbes = sentinels.map((s) => {
      const probe = createRedis({ url: `redis://127.0.0.1:${s.port}` }, "sentinel-group-probe", { lazyConnect: true });
      probes.push(probe);
      return probe;
    });
    // a failover needs every Sentinel to know the replicas and the other Sentinels (hello messages, every 2 s)
    for (const [i, probe] of sentinelProbes.entries()) {
      await until(`Sentinel ${sentinels[i]!.port} did not see 2 replicas and 2 other Sentinels (${sentinels[i]!.output()})`, 20_000, async () => {
        const replicas = (await probe.call("SENTINEL", "replicas", NAME)) as unknown[];
        const others = (await probe.call("SENTINEL", "sentinels", NAME)) as unknown[];
        return replicas.length === 2 && others.length === 2;
      });
    }

    const masterPortNow = async () => {
      for (const probe of sentinelProbes) {
        const reply = (await probe.call("SENTINEL", "get-master-addr-by-name", NAME).catch(() => null)) as [string, string] | null;
        if (reply) return Number(reply[1]);
      }
      throw new Error("no Sentinel names a master");
    };

    return {
      env: { REDIS_URL: "", REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(","), REDIS_SENTINEL_NAME: NAME },
      masterPort: masterPortNow,
      async killMaster({ replicationCutMs = 0 } = {}) {
        const killedPort = await masterPortNow();
        const master = servers.find((s) => s.port === killedPort)!;
        if (replicationCutMs > 0) {
          const connection = createRedis({ url: `redis://127.0.0.1:${killedPort}` }, "sentinel-group-cut");
          try {
            await connection.call("ACL", "SETUSER", "default", "-sync", "-psync");
            await connection.call("CLIENT", "KILL", "TYPE", "replica");
          } finally {
            connection.disconnect();
          }
          await sleep(replicationCutMs);
        }
        const killedAt = Date.now();
        master.child.kill("SIGKILL");
        await master.exited;
        let newMasterPort = killedPort;
        await until("no replica was promoted", 30_000, async () => {
          newMasterPort = await masterPortNow();
          return newMasterPort !== killedPort;
        });
        return { killedPort, newMasterPort, promotedAfterMs: Date.now() - killedAt };
      },
      async restartKilled() {
        for (const [i, server] of servers.entries()) {
          if (server.child.exitCode === null && server.child.signalCode === null) continue;
          servers[i] = startProcess(redisServer, server.args, `redis-server ${server.port}`);
        }
        const master = createRedis({ url: `redis://127.0.0.1:${await masterPortNow()}` }, "sentinel-group-probe", { lazyConnect: true });
        probes.push(master);
        // the Sentinels tell a restarted old master to replicate the new one; it is a replica once its sync is done
        await until("the restarted servers did not become replicas of the master", 30_000, async () => {
          const info = await master.info("replication");
          return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === 2;
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// `npm start`: the whole product on one machine. Embedded PostgreSQL (unless DATABASE_URL) and a local Redis
// (unless REDIS_URL or REDIS_SENTINELS) with data under .data/, migrations, a first admin, the web app and a realtime node.
// Ctrl-C or SIGTERM stops everything this started.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnInvalidEnv, parseStartEnv } from "../packages/config/src/env.ts";
import { applyMigrations, createDb } from "../packages/db/src/index.ts";
import { ensureFirstAdmin } from "./lib/admin.ts";
import { localTurnAddress, startLocalCoturn } from "./lib/coturn.ts";
import { dataDir, sessionSecret, writeRuntimeSettings } from "./lib/config.ts";
import { startPostgres } from "./lib/postgres.ts";
import { spawnServer, waitForHttp, type ManagedProcess } from "./lib/processes.ts";
import { startRedis } from "./lib/redis.ts";
import { buildRealtime, spawnRealtime, WEB_SERVER_ENTRY } from "./lib/serverBuild.ts";
import { buildWeb } from "./lib/webBuild.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (line: string) => console.log(`qualmeet: ${line}`);
// every variable checked before anything starts; the servers check again what this passes them
const env = exitOnInvalidEnv("qualmeet", () => parseStartEnv(process.env));
const { PORT: port, REALTIME_PORT: realtimePort } = env;

const cleanups: Array<() => Promise<void>> = [];
let stopping: Promise<never> | null = null;

/** Stops what this run started, once: Ctrl-C reaches us twice (from the terminal and through npm). */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    log("stopping…");
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error) => console.error(`qualmeet: could not stop cleanly: ${error instanceof Error ? error.message : error}`));
    log("stopped");
    process.exit(code);
  })();
  return stopping;
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

async function main() {
  log(`Node ${process.version}`);
  const secret = env.NEXTAUTH_SECRET ?? (await sessionSecret(root));

  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl) log("using DATABASE_URL");
  else {
    const postgres = await startPostgres({ dataDir: path.join(dataDir(root), "postgres"), port: env.EMBEDDED_PG_PORT, database: "qualmeet", log });
    if (postgres.startedHere) cleanups.push(() => postgres.stop());
    databaseUrl = postgres.url;
    log(`PostgreSQL ${postgres.url}`);
  }

  let redisUrl = env.REDIS_URL;
  if (redisUrl) log("using REDIS_URL");
  else if (env.REDIS_SENTINELS) log(`using the Redis master '${env.REDIS_SENTINEL_NAME}' of REDIS_SENTINELS`);
  else {
    const redis = await startRedis({ dataDir: path.join(dataDir(root), "redis"), port: env.EMBEDDED_REDIS_PORT, reuseExisting: true, log });
    cleanups.push(() => redis.stop());
    redisUrl = redis.url;
    log(`Redis ${redis.url}`);
  }

  let turn = env.TURN_URLS && env.TURN_SECRET ? { urls: env.TURN_URLS, secret: env.TURN_SECRET } : null;
  if (turn) log("using TURN_URLS");
  else {
    const coturn = await startLocalCoturn({ dataDir: dataDir(root), address: localTurnAddress(env.MEDIA_ANNOUNCED_ADDRESS), log });
    if (coturn) {
      cleanups.push(() => coturn.stop());
      turn = coturn;
      log(`coturn ${coturn.urls.join(", ")}`);
    }
  }

  const migrations = await applyMigrations(databaseUrl, path.join(root, "prisma/migrations"));
  log(migrations.applied.length ? `applied migrations: ${migrations.applied.join(", ")}` : "database schema is up to date");
  const db = createDb(databaseUrl);
  await ensureFirstAdmin(db, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }, log);
  await db.$disconnect();

  // the servers run compiled with plain node: built when missing or when their sources changed
  log("building the web app and the realtime server (cached after the first time)…");
  await buildWeb(root);
  await buildRealtime(root);

  const webUrl = env.NEXTAUTH_URL;
  const settings = {
    DATABASE_URL: databaseUrl,
    ...(redisUrl ? { REDIS_URL: redisUrl } : { REDIS_SENTINELS: process.env.REDIS_SENTINELS, REDIS_SENTINEL_NAME: process.env.REDIS_SENTINEL_NAME }),
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: webUrl,
    ALLOWED_ORIGINS: env.ALLOWED_ORIGINS.join(","),
    REALTIME_PUBLIC_URL: env.REALTIME_PUBLIC_URL,
    ...(turn ? { TURN_URLS: turn.urls.join(","), TURN_SECRET: turn.secret } : {}),
  };
  await writeRuntimeSettings(root, settings);
  const serversEnv = { ...process.env, ...settings, NODE_ENV: "production" as const, NEXT_TELEMETRY_DISABLED: "1" };

  const servers: ManagedProcess[] = [
    spawnServer({ name: "web", root, script: WEB_SERVER_ENTRY, env: { ...serversEnv, PORT: String(port) }, output: "prefix" }),
    spawnRealtime({ name: "realtime", root, args: ["--port", String(realtimePort)], env: serversEnv, output: "prefix" }),
  ];
  for (const server of servers) {
    cleanups.push(() => server.stop());
    void server.exited.then((code) => {
      if (!stopping) {
        console.error(`qualmeet: ${server.name} exited unexpectedly (code ${code})`);
        void stopAll(1);
      }
    });
  }
  await Promise.all([waitForHttp(`http://localhost:${port}/api/health`, servers[0]!, 120_000), waitForHttp(`http://localhost:${realtimePort}/healthz`, servers[1]!, 60_000)]);
  log(`ready`);
  log(`  web app:  ${webUrl}`);
  log(`  realtime: ${settings.REALTIME_PUBLIC_URL}  (health: http://localhost:${realtimePort}/healthz)`);
  log("press Ctrl-C to stop");
}

main().catch(async (error) => {
  console.error(`qualmeet: ${error instanceof Error ? error.message : error}`);
  await stopAll(1);
});

// Once per `npm test`: a throwaway PostgreSQL and Redis on free ports (never the developer's data), the
// committed migrations applied, a session secret, and the web app built. Their URLs go to process.env,
// which the test workers and the servers they spawn inherit. The integration and e2e projects both list this
// file; in one `vitest run` they share one stack (started by the first, stopped after the last).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "../../packages/db/src/migrate.ts";
import { freePort } from "../../scripts/lib/ports.ts";
import { startPostgres } from "../../scripts/lib/postgres.ts";
import { startRedis } from "../../scripts/lib/redis.ts";
import { buildRealtime } from "../../scripts/lib/serverBuild.ts";
import { buildTestWeb } from "./testBuild.ts";
import { repoRoot } from "./paths.ts";

type Teardown = () => Promise<void>;
const shared = globalThis as typeof globalThis & { qualmeetTestStack?: { users: number; ready: Promise<Teardown> } };

export default async function setup(): Promise<Teardown> {
  shared.qualmeetTestStack ??= { users: 0, ready: startStack() };
  const stack = shared.qualmeetTestStack;
  stack.users += 1;
  const teardown = await stack.ready;
  return async () => {
    stack.users -= 1;
    if (stack.users > 0) return;
    delete shared.qualmeetTestStack;
    await teardown();
  };
}

async function startStack(): Promise<Teardown> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-test-"));
  const started: Array<{ stop(): Promise<void> }> = [];
  const teardown = async () => {
    for (const server of started.reverse()) await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const postgresDataDir = path.join(dir, "pg");
    const postgres = await startPostgres({ dataDir: postgresDataDir, port: await freePort(), database: "qualmeet_test" });
    started.push(postgres);
    const redis = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false });
    started.push(redis);
    await applyMigrations(postgres.url, path.join(repoRoot, "prisma/migrations"));
    Object.assign(process.env, {
      DATABASE_URL: postgres.url,
      // tests/harness/postgres.ts restarts this server (outage tests)
      TEST_POSTGRES_DATA_DIR: postgresDataDir,
      REDIS_URL: redis.url,
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      NEXT_TELEMETRY_DISABLED: "1",
      TURBO_TELEMETRY_DISABLED: "1",
      // media stays on this machine: the browsers under test are local
      MEDIA_LISTEN_IP: "127.0.0.1",
      // the flows under test create many accounts from one address; the rate limit tests set their own
      RATE_LIMIT_REGISTER_PER_HOUR: "10000",
      // every guest of every test file comes from 127.0.0.1 within the hour
      RATE_LIMIT_GUESTS_PER_HOUR: "10000",
      RATE_LIMIT_SIGNIN_PER_MIN: "10000",
      RATE_LIMIT_GLOBAL_PER_MIN: "100000",
      // every page of every test opens its meeting by code from 127.0.0.1
      RATE_LIMIT_MEETING_LOOKUPS_PER_MIN: "100000",
      // tests read the realtime nodes' details (rooms, workers) from /healthz with it (healthDetails, servers.ts)
      HEALTH_DETAILS_TOKEN: randomBytes(16).toString("hex"),
    });
    // built with a TURN secret too, which the bundle secret scan then looks for (not given to the servers: they
    // would hand browsers a TURN server that is not there)
    await buildTestWeb();
    // the servers the tests start are the compiled ones production runs (turbo cache: built once per change)
    await buildRealtime(repoRoot, { quiet: true });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

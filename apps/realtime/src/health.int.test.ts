// Health endpoints of both servers against a PostgreSQL and a Redis of this test's own, which it stops and
// starts again: 503 naming what is down, and recovery without a restart when it is back.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { applyMigrations } from "@qualmeet/db";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres.ts";
import { startRedis, type RedisServer } from "../../../scripts/lib/redis.ts";
import { repoRoot } from "../../../tests/harness/paths.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let dir: string;
let postgres: PostgresServer;
let redis: RedisServer;
let redisPort: number;
let pgPort: number;
let web: WebServer;
let realtime: RealtimeServer;

const pgDir = () => path.join(dir, "pg");
const redisDir = () => path.join(dir, "redis");

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-health-"));
  [pgPort, redisPort] = [await freePort(), await freePort()];
  postgres = await startPostgres({ dataDir: pgDir(), port: pgPort, database: "health" });
  redis = await startRedis({ dataDir: redisDir(), port: redisPort, reuseExisting: false });
  await applyMigrations(postgres.url, path.join(repoRoot, "prisma/migrations"));
  const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url };
  web = await startWeb({ env });
  realtime = await startRealtime({ env, allowedOrigins: [web.url] });
});

afterAll(async () => {
  await Promise.all([web?.stop(), realtime?.stop()]);
  await redis?.stop();
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function health(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as { database: string; redis: string } };
}

/** Polls until the health answer has `status` (servers notice a change within a few seconds). */
async function healthBecomes(url: string, status: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await health(url);
  while (last.status !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await health(url);
  }
  return last;
}

const endpoints = () => [`${web.url}/api/health`, `${realtime.httpUrl}/healthz`];

test("both servers report the database and Redis as up", async () => {
  for (const url of endpoints()) {
    expect(await health(url)).toEqual({ status: 200, body: expect.objectContaining({ database: "up", redis: "up" }) });
  }
});

test("a stopped Redis gives 503 naming Redis, and health returns to 200 when Redis is back", async () => {
  await redis.stop();
  for (const url of endpoints()) {
    expect(await healthBecomes(url, 503)).toEqual({ status: 503, body: expect.objectContaining({ database: "up", redis: "down" }) });
  }
  redis = await startRedis({ dataDir: redisDir(), port: redisPort, reuseExisting: false });
  for (const url of endpoints()) {
    expect(await healthBecomes(url, 200)).toEqual({ status: 200, body: expect.objectContaining({ database: "up", redis: "up" }) });
  }
});

test("a stopped database gives 503 naming the database, and the servers recover when it returns", async () => {
  await postgres.stop();
  for (const url of endpoints()) {
    expect(await healthBecomes(url, 503)).toEqual({ status: 503, body: expect.objectContaining({ database: "down", redis: "up" }) });
  }
  postgres = await startPostgres({ dataDir: pgDir(), port: pgPort, database: "health" });
  for (const url of endpoints()) {
    expect(await healthBecomes(url, 200)).toEqual({ status: 200, body: expect.objectContaining({ database: "up", redis: "up" }) });
  }
});

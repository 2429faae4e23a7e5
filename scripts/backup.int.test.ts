// `npm run backup` and `npm run restore` as an operator runs them, against databases of the test run's PostgreSQL:
// a database filled through the product's own code (the first administrator, registrations, a meeting, a group chat
// whose messages the chat persister stores, their audit entries) is backed up, restored into a fresh database, and
// every row of every table comes back as it was, the audit chain verifying and growing on. A non-empty target, a
// damaged file and a file of another format version are refused with a sentence, the target left as it was.
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { solveInBackground } from "@qualmeet/challenge/browser";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { ChatPersister } from "../packages/api/src/chat/chatPersister.ts";
import { appRouter } from "../packages/api/src/root.ts";
import { chatLiveRouter } from "../packages/api/src/router/chatLive.ts";
import { createRedis } from "../packages/api/src/services/redis.ts";
import { createCallerFactory, type Context } from "../packages/api/src/trpc.ts";
import { applyMigrations } from "../packages/db/src/migrate.ts";
import { repoRoot } from "../tests/harness/paths.ts";
import { ensureFirstAdmin } from "./lib/admin.ts";
import { freePort } from "./lib/ports.ts";
import { startRedis, type RedisServer } from "./lib/redis.ts";
import { run } from "./lib/run.ts";

const adminUrl = process.env.DATABASE_URL!;
const databases: string[] = [];
const MESSAGES = ["hello", "line one\nline two", 'tab\there, backslash \\ and quote "', "ünïcödé 🎥", "\\.", "last"];
let dir: string;
let redisServer: RedisServer;
let redis: Redis;
let sourceUrl: string;
let backupFile: string;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `backup_${randomUUID().replace(/-/g, "")}`;
  await query(adminUrl, `CREATE DATABASE "${name}"`);
  databases.push(name);
  return adminUrl.replace(/\/[^/]+$/, `/${name}`);
}

/** `npm run <script> -- args` on `databaseUrl`, as an operator types it. */
const npmRun = (script: string, args: string[], databaseUrl: string) =>
  run("npm", ["run", "-s", script, "--", ...args], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: databaseUrl } });

/** Every row of every table (Prisma's migration records too), as JSON text in a fixed order. */
async function everyRow(url: string): Promise<Record<string, string[]>> {
  const tables = await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
  const rows: Record<string, string[]> = {};
  for (const { tablename } of tables) {
    rows[tablename] = (await query<{ row: string }>(url, `SELECT to_jsonb(t)::text AS row FROM "${tablename}" t ORDER BY 1`)).map((r) => r.row);
  }
  return rows;
}

const caller = (db: PrismaClient, user: { id: string; tokenVersion: number } | null): Context => ({
  db,
  redis,
  session: user ? { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + 60_000 } : null,
  ip: "198.51.100.7",
  transport: "http",
});
const web = createCallerFactory(appRouter);
const live = createCallerFactory(chatLiveRouter);

/** Registers as the registration form does (a solved proof-of-work challenge), then loads the account. */
async function register(db: PrismaClient, name: string) {
  const anonymous = web(caller(db, null));
  const { challenge } = await anonymous.auth.challenge({ purpose: "register" });
  const { id } = await anonymous.auth.register({
    name,
    email: `${name.toLowerCase()}-${randomUUID()}@example.test`,
    password: "correct horse battery",
    challenge: await solveInBackground(challenge!),
  });
  return db.user.findUniqueOrThrow({ where: { id } });
}

/** A QualMeet database with users, a meeting, a group chat's stored messages and their audit entries. */
async function fillThroughTheProduct(url: string): Promise<void> {
  await applyMigrations(url, path.join(repoRoot, "prisma/migrations"));
  const db = createDb(url);
  const persister = new ChatPersister({ db, redis: createRedis({ url: redisServer.url }, "backup-test-persister"), consumer: "backup-test", log: () => {} });
  try {
    await ensureFirstAdmin(db, { email: "admin@example.test", password: "admin password long enough" }, () => {});
    const ann = await register(db, "Ann");
    const bob = await register(db, "Bob");
    await web(caller(db, ann)).meeting.create({ title: "Quarterly review", maxParticipants: 10, locked: false, lobbyEnabled: true });
    const group = await web(caller(db, ann)).chat.createGroup({ title: "Team", memberIds: [bob.id] });
    for (const [i, body] of MESSAGES.entries()) {
      await live(caller(db, i % 2 ? bob : ann)).send({ conversationId: group.id, clientId: `client-${randomUUID()}`, body });
    }
    persister.start();
    for (let waited = 0; (await db.message.count()) < MESSAGES.length; waited += 50) {
      if (waited > 15_000) throw new Error("the chat persister did not store the messages");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await persister.stop();
    await db.$disconnect();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-backup-test-"));
  // a Redis of its own: the chat outbox stream is one per Redis, and this database is not the other files'
  redisServer = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false });
  redis = createRedis({ url: redisServer.url }, "backup-test");
  sourceUrl = await freshDatabase();
  await fillThroughTheProduct(sourceUrl);
  backupFile = path.join(dir, "qualmeet.backup");
  const backup = await npmRun("backup", ["--out", backupFile], sourceUrl);
  expect(backup.stderr).toBe("");
  expect(backup.code).toBe(0);
  const report = JSON.parse(backup.stdout) as { file: string; bytes: number; rowsPerTable: Record<string, number> };
  expect(report).toMatchObject({ file: backupFile, rowsPerTable: { User: 3, Meeting: 1, Message: MESSAGES.length } });
  expect(report.bytes).toBeGreaterThan(0);
});

afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
  for (const name of databases) await query(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("a restore into a fresh database brings back every row of every table, and the audit chain verifies and grows on", async () => {
  const target = await freshDatabase();
  const restored = await npmRun("restore", [backupFile], target);
  expect(restored.stderr).toBe("");
  expect(restored.code).toBe(0);
  expect(JSON.parse(restored.stdout)).toMatchObject({ rowsPerTable: { User: 3, Meeting: 1, Message: MESSAGES.length }, pendingMigrations: [] });

  const before = await everyRow(sourceUrl);
  expect(await everyRow(target)).toEqual(before);
  // what a person would look for, in so many words
  const users = await query<{ name: string }>(target, `SELECT name FROM "User" ORDER BY name`);
  expect(users.map((u) => u.name)).toEqual(["Administrator", "Ann", "Bob"]);
  expect(await query(target, `SELECT title, "lobbyEnabled" FROM "Meeting"`)).toEqual([{ title: "Quarterly review", lobbyEnabled: true }]);
  const bodies = await query<{ body: string }>(target, `SELECT body FROM "Message" ORDER BY "createdAt"`);
  expect(bodies.map((m) => m.body)).toEqual(MESSAGES);
  const auditRows = before.AuditLog!.length;
  expect(auditRows).toBeGreaterThanOrEqual(3); // the administrator's creation and two registrations

  const verified = await npmRun("audit:verify", [], target);
  expect(verified.stdout.trim()).toBe(`audit log intact: ${auditRows} rows chained`);
  // the restored database goes on: a new registration's audit entry chains after the restored ones
  const db = createDb(target);
  try {
    await register(db, "Cleo");
  } finally {
    await db.$disconnect();
  }
  expect((await npmRun("audit:verify", [], target)).stdout.trim()).toBe(`audit log intact: ${auditRows + 1} rows chained`);
});

test("a database that holds data is refused and left as it was; with --force it is replaced by the backup", async () => {
  const target = await freshDatabase();
  await applyMigrations(target, path.join(repoRoot, "prisma/migrations"));
  const db = createDb(target);
  try {
    await ensureFirstAdmin(db, { email: "other-admin@example.test", password: "another long password" }, () => {});
  } finally {
    await db.$disconnect();
  }
  const before = await everyRow(target);

  const refused = await npmRun("restore", [backupFile], target);
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim()).toMatch(
    /^restore failed: database backup_\w+ is not empty \(2 table\(s\) hold rows: AuditLog, User\)\. Restore into an empty database, or add --force .* Nothing was changed\.$/,
  );
  expect(await everyRow(target)).toEqual(before);

  const forced = await npmRun("restore", [backupFile, "--force"], target);
  expect(forced.code).toBe(0);
  expect(await everyRow(target)).toEqual(await everyRow(sourceUrl));
});

test("a damaged, cut or other-version file is refused with a sentence and nothing is restored", async () => {
  const whole = await readFile(backupFile);
  const newline = whole.indexOf("\n");
  const damaged = Buffer.from(whole);
  damaged[newline + Math.floor((whole.length - newline) / 2)]! ^= 0xff;
  const cases: Array<[string, Buffer, RegExp]> = [
    ["cut.backup", whole.subarray(0, newline + Math.floor((whole.length - newline) * 0.8)), /the backup file is (damaged or )?incomplete/],
    ["damaged.backup", damaged, /the backup file is damaged/],
    ["v2.backup", Buffer.concat([Buffer.from("QUALMEET BACKUP v2 (gzip)"), whole.subarray(newline)]), /is a QualMeet backup of format v2; this QualMeet reads format v1 only/],
    ["notes.txt", Buffer.from("not a backup\n"), /is not a QualMeet backup/],
  ];
  for (const [name, content, message] of cases) {
    const file = path.join(dir, name);
    await writeFile(file, content);
    const target = await freshDatabase();
    const result = await npmRun("restore", [file], target);
    expect(result.code, name).toBe(1);
    expect(result.stderr, name).toMatch(message);
    expect(result.stderr, name).toMatch(/Nothing was changed\.$/m);
    // not even the schema: the migrations ran inside the transaction that was rolled back
    expect(await query(target, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"), name).toEqual([]);
  }
});

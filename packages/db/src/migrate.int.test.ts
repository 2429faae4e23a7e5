// The offline migrator against a real PostgreSQL: Prisma's bookkeeping, idempotence, tamper detection.
import { randomUUID } from "node:crypto";
import { appendFile, cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { applyMigrations } from "./migrate.ts";

const migrationsDir = path.resolve(import.meta.dirname, "../../../prisma/migrations");
const adminUrl = process.env.DATABASE_URL!;
const databases: string[] = [];

async function query<T extends pg.QueryResultRow>(connectionString: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

// each test its own database, so none depends on what an earlier one applied
async function freshDatabase(): Promise<string> {
  const name = `migrate_${randomUUID().replace(/-/g, "")}`;
  await query(adminUrl, `CREATE DATABASE "${name}"`);
  databases.push(name);
  return adminUrl.replace(/\/[^/]+$/, `/${name}`);
}

async function migratedDatabase(): Promise<string> {
  const url = await freshDatabase();
  await applyMigrations(url, migrationsDir);
  return url;
}

afterAll(async () => {
  for (const name of databases) await query(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

test("a fresh database gets every migration, recorded the way Prisma records them", async () => {
  const url = await freshDatabase();
  const result = await applyMigrations(url, migrationsDir);
  expect(result.applied.length).toBeGreaterThanOrEqual(2);
  const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
    url,
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
  );
  expect(rows.map((r) => r.migration_name)).toEqual(result.applied);
  expect(rows.every((r) => r.finished_at && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  const tables = await query<{ tablename: string }>(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(["User", "Meeting", "Message", "AuditLog", "Ban", "Appeal"]));
});

test("running again applies nothing", async () => {
  const url = await migratedDatabase();
  expect((await applyMigrations(url, migrationsDir)).applied).toEqual([]);
});

test("the audit log is append-only", async () => {
  const url = await migratedDatabase();
  await query(url, `INSERT INTO "AuditLog" (action) VALUES ('test.entry')`);
  await expect(query(url, `UPDATE "AuditLog" SET action = 'changed'`)).rejects.toThrow(/append-only/);
  await expect(query(url, `DELETE FROM "AuditLog"`)).rejects.toThrow(/append-only/);
});

test("a migration edited after it was applied is refused", async () => {
  const url = await migratedDatabase();
  const copy = await mkdtemp(path.join(os.tmpdir(), "qualmeet-migrations-"));
  try {
    await cp(migrationsDir, copy, { recursive: true });
    const names = (await readdir(copy)).filter((n) => /^\d/.test(n)).sort();
    await appendFile(path.join(copy, names[0]!, "migration.sql"), "\n-- edited\n");
    await expect(applyMigrations(url, copy)).rejects.toThrow(/changed after it was applied/);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

// The audit log's hash chain against the test run's real PostgreSQL: rows written as the product writes them
// (`auditLog.create`) are chained by the database, ordinary changes are refused, and a superuser who switches the
// append-only rule off to change, remove or re-hash a row is caught by verification at that row. Every tampering
// is undone afterwards, because the other test files share this database.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { restore as restoreAs, savedRow as savedRowAs, tamper as tamperAs } from "../../../../tests/harness/auditTamper.ts";
import { verifyAuditChain } from "./auditChain.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
let db: PrismaClient;
let superuser: pg.Client; // the harness's PostgreSQL role is a superuser

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  superuser = new pg.Client({ connectionString: process.env.DATABASE_URL! });
  await superuser.connect();
});

afterAll(async () => {
  await superuser?.end();
  await db?.$disconnect();
});

const tamper = (sql: string, params: unknown[] = []) => tamperAs(superuser, sql, params);
const restore = (saved: unknown) => restoreAs(superuser, saved);
const savedRow = (id: bigint) => savedRowAs(superuser, id);

async function writeEntries(count: number, label: string) {
  const actor = await db.user.create({ data: { name: "Audit Actor", email: `audit-${randomUUID()}@example.test` } });
  const entries = [];
  for (let i = 0; i < count; i++) {
    entries.push(
      await db.auditLog.create({
        data: {
          actorId: i % 2 === 0 ? actor.id : null,
          action: `${label}.step${i}`,
          targetType: "user",
          targetId: actor.id,
          // key order, nesting, non-ASCII text and decimals: the hash must see jsonb's canonical text
          data: { zeta: 1.5, alpha: { b: [1, "två"], a: null }, emoji: "🎥", n: i },
          ip: i % 3 === 0 ? null : "203.0.113.7",
        },
      }),
    );
  }
  return entries;
}

async function runVerifyScript(): Promise<{ code: number; stdout: string }> {
  const run = promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], { cwd: repoRoot, env: process.env });
  return run.then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

test("entries written through Prisma are chained by the database and verify", async () => {
  const entries = await writeEntries(6, "chain");
  for (const [i, entry] of entries.entries()) {
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    if (i > 0) expect(entry.prevHash).toBe(entries[i - 1]!.hash);
  }
  const result = await verifyAuditChain(db);
  expect(result).toEqual({ ok: true, rows: await db.auditLog.count() });
  expect(await runVerifyScript()).toEqual({ code: 0, stdout: `audit log intact: ${await db.auditLog.count()} rows chained\n` });
}, 60_000);

test("ordinary UPDATE, DELETE and TRUNCATE are refused", async () => {
  const [entry] = await writeEntries(1, "refuse");
  await expect(db.auditLog.update({ where: { id: entry!.id }, data: { action: "rewritten" } })).rejects.toThrow(/append-only/);
  await expect(db.auditLog.delete({ where: { id: entry!.id } })).rejects.toThrow(/append-only/);
  await expect(superuser.query(`TRUNCATE "AuditLog"`)).rejects.toThrow(/append-only/);
  expect((await db.auditLog.findUniqueOrThrow({ where: { id: entry!.id } })).action).toBe("refuse.step0");
});

test("a row changed behind the append-only rule is named by verification", async () => {
  const entries = await writeEntries(4, "change");
  const victim = entries[1]!;
  const saved = await savedRow(victim.id);
  await tamper(`UPDATE "AuditLog" SET "action" = 'auth.nothing_happened' WHERE "id" = $1`, [victim.id.toString()]);
  try {
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, rowId: victim.id, reason: expect.stringMatching(/changed/) });
    const script = await runVerifyScript();
    expect(script.code).toBe(1);
    expect(script.stdout).toBe(`audit log broken at row ${victim.id}: content does not match its hash (the row was changed)\n`);
  } finally {
    await restore(saved);
  }
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
}, 60_000);

test("a row whose hash was rewritten is named by verification", async () => {
  const entries = await writeEntries(3, "rehash");
  const victim = entries[1]!;
  const saved = await savedRow(victim.id);
  await tamper(`UPDATE "AuditLog" SET "data" = '{"forged": true}', "hash" = $2 WHERE "id" = $1`, [victim.id.toString(), "f".repeat(64)]);
  try {
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, rowId: victim.id });
  } finally {
    await restore(saved);
  }
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
});

test("a row deleted from the middle is noticed at the row after the gap", async () => {
  const entries = await writeEntries(5, "delete");
  const victim = entries[2]!;
  const saved = await savedRow(victim.id);
  await tamper(`DELETE FROM "AuditLog" WHERE "id" = $1`, [victim.id.toString()]);
  try {
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, rowId: entries[3]!.id, reason: expect.stringMatching(/removed/) });
  } finally {
    await restore(saved);
  }
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
});

test("50 entries written at once still form one valid chain", async () => {
  const before = await db.auditLog.count();
  const ids = await Promise.all(
    Array.from({ length: 50 }, (_, i) => db.auditLog.create({ data: { action: "parallel.write", targetType: "test", targetId: String(i) } }).then((e) => e.id)),
  );
  expect(new Set(ids).size).toBe(50);
  expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: before + 50 });
}, 60_000);

// What an intruder with superuser access to PostgreSQL can do to the audit log, and the undoing of it: tests that
// prove tampering is caught change a row behind the append-only rule, then put the row back exactly, because the
// other test files share the database (and verify the whole chain).
import type pg from "pg";

/** As a superuser: switches the append-only rule off for one statement, as an intruder with database access would. */
export async function tamper(superuser: pg.Client, sql: string, params: unknown[] = []): Promise<void> {
  await superuser.query("BEGIN");
  await superuser.query(`ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only"`);
  await superuser.query(sql, params);
  await superuser.query(`ALTER TABLE "AuditLog" ENABLE TRIGGER "AuditLog_append_only"`);
  await superuser.query("COMMIT");
}

/** A row as it is now, to give to `restore`. */
export async function savedRow(superuser: pg.Client, id: bigint): Promise<unknown> {
  const { rows } = await superuser.query<{ row: unknown }>(`SELECT to_jsonb(a) AS "row" FROM "AuditLog" a WHERE "id" = $1`, [id.toString()]);
  return rows[0]!.row;
}

/** Puts a saved row back exactly (all triggers off, so neither the append-only rule nor the chain touches it). */
export async function restore(superuser: pg.Client, saved: unknown): Promise<void> {
  await superuser.query("BEGIN");
  await superuser.query(`ALTER TABLE "AuditLog" DISABLE TRIGGER USER`);
  await superuser.query(`DELETE FROM "AuditLog" WHERE "id" = (jsonb_populate_record(NULL::"AuditLog", $1::jsonb))."id"`, [saved]);
  await superuser.query(`INSERT INTO "AuditLog" SELECT * FROM jsonb_populate_record(NULL::"AuditLog", $1::jsonb)`, [saved]);
  await superuser.query(`ALTER TABLE "AuditLog" ENABLE TRIGGER USER`);
  await superuser.query("COMMIT");
}

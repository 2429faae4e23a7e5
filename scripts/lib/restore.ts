// Restores a backup (backupFile.ts) into an empty database, in ONE transaction: a refused target, a damaged or
// foreign file, or any failed row leaves the database exactly as it was. The schema is made by replaying the
// migrations the backed-up database had (the committed files, checked against their recorded checksums); the rows
// are loaded with COPY under session_replication_role=replica, so no trigger fires: the audit log keeps its ids and
// hash chain as they were (its chain trigger would rewrite them) and foreign keys are not checked row by row (the
// backup is one consistent snapshot).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { ADVISORY_LOCK_KEY, MIGRATIONS_TABLE, readMigrations, type Migration } from "../../packages/db/src/migrate.ts";
import { tableColumns } from "./backup.ts";
import { BackupFileError, END_OF_TABLE, nextJson, openBackup, type BackupEnd, type BackupManifest, type TableStart } from "./backupFile.ts";

export interface RestoreReport {
  file: string;
  database: string;
  tables: number;
  rows: number;
  rowsPerTable: Record<string, number>;
  /** committed migrations newer than the backup: the next `npm start` (or `npm run db:migrate`) applies them */
  pendingMigrations: string[];
  seconds: number;
}

/** The target holds data and --force was not given. */
export class RestoreRefusedError extends Error {}

const BATCH_CHARS = 64 * 1024;

/** The migrations to replay, each the committed file with the checksum the backed-up database recorded. */
function migrationsToReplay(manifest: BackupManifest, committed: Migration[]): Migration[] {
  const byName = new Map(committed.map((m) => [m.name, m]));
  return manifest.migrations.map(({ name, checksum }) => {
    const migration = byName.get(name);
    if (!migration) {
      throw new BackupFileError(
        `the backup was made by a newer QualMeet: its schema has migration ${name}, which this one does not have; restore it with that version or a newer one`,
      );
    }
    if (migration.checksum !== checksum) throw new BackupFileError(`migration ${name} of this QualMeet differs from the one the backed-up database ran (checksum)`);
    return migration;
  });
}

/** The rows of one table section, in batches, up to its end marker. */
async function* tableRows(lines: AsyncGenerator<string>, table: string): AsyncGenerator<string> {
  let batch = "";
  for (;;) {
    const next = await lines.next();
    if (next.done) throw new BackupFileError(`the backup file is incomplete: it ends inside table ${table}`);
    if (next.value === END_OF_TABLE) break;
    batch += next.value + "\n";
    if (batch.length >= BATCH_CHARS) {
      yield batch;
      batch = "";
    }
  }
  if (batch) yield batch;
}

/** Tables of the target's schema that hold rows (Prisma's migration records do not count). */
async function tablesWithRows(client: pg.Client, tables: string[]): Promise<string[]> {
  const candidates = tables.filter((t) => t !== "_prisma_migrations");
  if (candidates.length === 0) return [];
  const probes = candidates.map((t, i) => `SELECT $${i + 1}::text AS "table" WHERE EXISTS (SELECT 1 FROM ${client.escapeIdentifier(t)})`);
  return (await client.query<{ table: string }>(probes.join(" UNION ALL "), candidates)).rows.map((r) => r.table);
}

/** Drops the schema's tables, enum types and functions (not those of extensions), for migrations to make them anew. */
const DROP_SCHEMA_OBJECTS = `
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE %I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE n.nspname = current_schema() AND t.typtype = 'e'
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP TYPE %s CASCADE', item.name);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = current_schema()
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('DROP FUNCTION %s CASCADE', item.name);
  END LOOP;
END $$`;

async function loadTable(client: pg.Client, lines: AsyncGenerator<string>, { table, columns }: TableStart, known: Map<string, string[]>): Promise<number> {
  const existing = known.get(table);
  if (!existing) throw new BackupFileError(`the backup has table ${table}, which its migrations do not make`);
  const unknown = columns.filter((c) => !existing.includes(c));
  if (unknown.length) throw new BackupFileError(`the backup has column(s) ${unknown.join(", ")} of table ${table}, which its migrations do not make`);
  const copy = client.query(copyFrom(`COPY ${client.escapeIdentifier(table)} (${columns.map((c) => client.escapeIdentifier(c)).join(", ")}) FROM STDIN`));
  try {
    await pipeline(Readable.from(tableRows(lines, table)), copy);
  } catch (error) {
    if (error instanceof BackupFileError || !(error instanceof pg.DatabaseError)) throw error;
    throw new BackupFileError(`the backup file is damaged: a row of table ${table} could not be loaded (${error.message}${error.where ? `; ${error.where}` : ""})`);
  }
  return copy.rowCount;
}

export async function restoreDatabase(connectionString: string, file: string, options: { force: boolean; migrationsDir: string }): Promise<RestoreReport> {
  const startedAt = performance.now();
  // the file is checked as far as it can be before the database is touched
  const lines = await openBackup(file);
  const manifest = await nextJson<BackupManifest>(lines, "its manifest");
  if (!Array.isArray(manifest.migrations)) throw new BackupFileError("the backup file is damaged: its manifest lists no migrations");
  const committed = await readMigrations(options.migrationsDir);
  const replay = migrationsToReplay(manifest, committed);

  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("BEGIN");
    // `npm start` and `npm run db:migrate` wait for this lock before they migrate
    await client.query("SELECT pg_advisory_xact_lock($1)", [ADVISORY_LOCK_KEY]);
    const { rows: target } = await client.query<{ database: string }>("SELECT current_database() AS database");
    const database = target[0]!.database;
    const existing = (await tableColumns(client)).map((t) => t.table);
    if (existing.length > 0) {
      const holding = await tablesWithRows(client, existing);
      if (holding.length > 0 && !options.force) {
        throw new RestoreRefusedError(
          `database ${database} is not empty (${holding.length} table(s) hold rows: ${holding.slice(0, 5).join(", ")}${holding.length > 5 ? ", ..." : ""}). ` +
            "Restore into an empty database, or add --force to replace everything in it with the backup",
        );
      }
      await client.query(DROP_SCHEMA_OBJECTS);
    }
    await client.query(MIGRATIONS_TABLE);
    for (const migration of replay) await client.query(migration.sql);
    const known = new Map((await tableColumns(client)).map((t) => [t.table, t.columns]));

    try {
      await client.query("SET LOCAL session_replication_role = replica");
    } catch (error) {
      if ((error as pg.DatabaseError).code !== "42501") throw error;
      throw new Error(
        "restoring needs a PostgreSQL superuser, or a role allowed to set session_replication_role (GRANT SET ON PARAMETER session_replication_role TO <role>, PostgreSQL 15+): rows are loaded without firing triggers",
      );
    }
    const rowsPerTable: Record<string, number> = {};
    let end: BackupEnd | null = null;
    while (!end) {
      const section = await nextJson<TableStart | BackupEnd>(lines, "the next table or the end");
      if ("end" in section) end = section;
      else rowsPerTable[section.table] = await loadTable(client, lines, section, known);
    }
    if (!(await lines.next()).done) throw new BackupFileError("the backup file is damaged: there is more after its end");
    for (const [table, rows] of Object.entries(end.rows)) {
      if (rowsPerTable[table] !== rows) throw new BackupFileError(`the backup file is damaged: table ${table} should have ${rows} rows, it has ${rowsPerTable[table] ?? 0}`);
    }
    for (const { name, lastValue } of end.sequences) await client.query("SELECT setval($1::regclass, $2::bigint)", [client.escapeIdentifier(name), lastValue]);
    await client.query("COMMIT");

    const replayed = new Set(replay.map((m) => m.name));
    return {
      file,
      database,
      tables: Object.keys(rowsPerTable).length,
      rows: Object.values(rowsPerTable).reduce((sum, n) => sum + n, 0),
      rowsPerTable,
      pendingMigrations: committed.filter((m) => !replayed.has(m.name)).map((m) => m.name),
      seconds: Number(((performance.now() - startedAt) / 1000).toFixed(3)),
    };
  } catch (error) {
    // ending the connection below aborts the transaction too, should this ROLLBACK itself fail
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await lines.return(undefined);
    await client.end();
  }
}

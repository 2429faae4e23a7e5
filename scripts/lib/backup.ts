// Writes a backup of a QualMeet database (format: backupFile.ts) with COPY over `pg`: the embedded PostgreSQL is
// version 18 and ships no pg_dump, and Debian's pg_dump (15) refuses a newer server. Every table is read in one
// REPEATABLE READ transaction, so the file is one consistent snapshot while the product keeps running.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { finished, pipeline } from "node:stream/promises";
import { createGzip, type Gzip } from "node:zlib";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { END_OF_TABLE, backupHeader, type BackupEnd, type BackupManifest, type TableStart } from "./backupFile.ts";

export interface BackupReport {
  file: string;
  bytes: number;
  tables: number;
  rows: number;
  rowsPerTable: Record<string, number>;
  migrations: number;
  seconds: number;
}

/** The schema's tables (Prisma's `_prisma_migrations` too) and their columns in table order, generated ones left out. */
export async function tableColumns(client: pg.Client): Promise<TableStart[]> {
  const { rows } = await client.query<{ table: string; columns: string[] }>(`
    SELECT c.relname AS "table", array_agg(a.attname::text ORDER BY a.attnum) AS "columns"
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    GROUP BY c.relname ORDER BY c.relname`);
  return rows;
}

async function writeText(gzip: Gzip, text: string): Promise<void> {
  if (!gzip.write(text)) await once(gzip, "drain");
}

async function readManifest(client: pg.Client): Promise<BackupManifest> {
  const { rows } = await client.query<{ database: string; server: string; migrations: boolean }>(
    `SELECT current_database() AS database, current_setting('server_version') AS server, to_regclass('"_prisma_migrations"') IS NOT NULL AS migrations`,
  );
  const { database, server, migrations } = rows[0]!;
  if (!migrations) throw new Error(`database ${database} has no QualMeet schema (no _prisma_migrations table): nothing to back up`);
  const applied = await client.query<{ name: string; checksum: string }>(
    `SELECT migration_name AS name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return { createdAt: new Date().toISOString(), database, server, migrations: applied.rows };
}

export async function backupDatabase(connectionString: string, file: string): Promise<BackupReport> {
  const startedAt = performance.now();
  const partial = `${file}.partial`;
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const manifest = await readManifest(client);
    const tables = await tableColumns(client);

    // written beside the target and renamed at the end: a failed backup never leaves a file that looks whole
    await writeFile(partial, backupHeader(), { mode: 0o600 });
    const gzip = createGzip();
    const written = pipeline(gzip, createWriteStream(partial, { flags: "a" }));
    // awaited after the last write; a failure before that also reaches writeText as gzip's error
    written.catch(() => {});
    const rowsPerTable: Record<string, number> = {};
    try {
      await writeText(gzip, JSON.stringify(manifest) + "\n");
      for (const { table, columns } of tables) {
        await writeText(gzip, JSON.stringify({ table, columns } satisfies TableStart) + "\n");
        const rows = client.query(copyTo(`COPY ${client.escapeIdentifier(table)} (${columns.map((c) => client.escapeIdentifier(c)).join(", ")}) TO STDOUT`));
        rows.pipe(gzip, { end: false });
        await finished(rows);
        rowsPerTable[table] = rows.rowCount;
        await writeText(gzip, END_OF_TABLE + "\n");
      }
      const sequences = await client.query<{ name: string; lastValue: string }>(
        `SELECT sequencename AS name, last_value::text AS "lastValue" FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL ORDER BY sequencename`,
      );
      await writeText(gzip, JSON.stringify({ end: true, rows: rowsPerTable, sequences: sequences.rows } satisfies BackupEnd) + "\n");
      gzip.end();
      await written;
    } catch (error) {
      gzip.destroy();
      throw error;
    }
    await client.query("COMMIT");
    await rename(partial, file);
    const rows = Object.values(rowsPerTable).reduce((sum, n) => sum + n, 0);
    return {
      file,
      bytes: (await stat(file)).size,
      tables: tables.length,
      rows,
      rowsPerTable,
      migrations: manifest.migrations.length,
      seconds: Number(((performance.now() - startedAt) / 1000).toFixed(3)),
    };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.end();
  }
}

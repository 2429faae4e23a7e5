// The file `npm run backup` writes and `npm run restore` reads. One plain first line says what the file is and its
// format version (readable with `head -1`); the rest is gzip of lines:
//   manifest JSON (when, from which server, the migrations that made the schema)
//   per table: {"table": name, "columns": [...]}, the rows in COPY's text format (one row a line), then "\."
//   end JSON (rows per table, sequence values): a file without it was cut short
// COPY's text format escapes newlines and backslashes inside values, so a row is one line and "\." never is a row.
import { open } from "node:fs/promises";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

export const BACKUP_FORMAT_VERSION = 1;
const HEADER_PREFIX = "QUALMEET BACKUP v";
export const backupHeader = (): string => `${HEADER_PREFIX}${BACKUP_FORMAT_VERSION} (gzip; restore with: npm run restore -- FILE)\n`;
export const END_OF_TABLE = "\\.";

export interface BackupManifest {
  createdAt: string;
  database: string;
  server: string;
  /** the migrations recorded in the database, in order: restore replays them to make the same schema */
  migrations: Array<{ name: string; checksum: string }>;
}

export interface TableStart {
  table: string;
  columns: string[];
}

export interface BackupEnd {
  end: true;
  rows: Record<string, number>;
  /** each sequence's last value (the audit log's id), so new rows after a restore continue after the restored ones */
  sequences: Array<{ name: string; lastValue: string }>;
}

/** A file that is not a backup, of another format version, damaged or cut short: a sentence for the operator. */
export class BackupFileError extends Error {}

/** Reads and checks the plain first line; returns where the gzip body starts. */
async function readHeader(file: string): Promise<number> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(200);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString("latin1");
    const newline = text.indexOf("\n");
    if (!text.startsWith(HEADER_PREFIX) || newline < 0) throw new BackupFileError(`${file} is not a QualMeet backup (it does not start with "${HEADER_PREFIX}")`);
    const version = Number.parseInt(text.slice(HEADER_PREFIX.length), 10);
    if (version !== BACKUP_FORMAT_VERSION) {
      throw new BackupFileError(
        `${file} is a QualMeet backup of format v${text.slice(HEADER_PREFIX.length).split(" ")[0]}; this QualMeet reads format v${BACKUP_FORMAT_VERSION} only: restore it with the QualMeet version that made it`,
      );
    }
    return newline + 1;
  } finally {
    await handle.close();
  }
}

/** The body's lines, decompressed as they are read; a damaged or cut gzip stream throws a BackupFileError. */
async function* bodyLines(body: Readable): AsyncGenerator<string> {
  let rest = "";
  try {
    for await (const chunk of body) {
      const parts = (rest + (chunk as string)).split("\n");
      rest = parts.pop()!;
      yield* parts;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code?.startsWith("Z_") || code === "ERR_STRING_TOO_LONG") throw new BackupFileError(`the backup file is damaged or incomplete (${(error as Error).message})`);
    throw error;
  }
  if (rest) yield rest;
}

/** Opens a backup for reading: its header checked, its body as lines. */
export async function openBackup(file: string): Promise<AsyncGenerator<string>> {
  const start = await readHeader(file);
  const body = createReadStream(file, { start }).pipe(createGunzip());
  body.setEncoding("utf8");
  return bodyLines(body);
}

/** The next line parsed as JSON, or a BackupFileError naming what was expected. */
export async function nextJson<T>(lines: AsyncGenerator<string>, what: string): Promise<T> {
  const next = await lines.next();
  if (next.done) throw new BackupFileError(`the backup file is incomplete: it ends where ${what} should be`);
  try {
    return JSON.parse(next.value) as T;
  } catch {
    throw new BackupFileError(`the backup file is damaged: ${what} is not readable`);
  }
}

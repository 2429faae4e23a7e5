// The database `npm start` uses, for the operator's scripts (audit:verify, backup, restore): DATABASE_URL when set,
// else the embedded PostgreSQL under .data/ — reused when `npm start` runs, else started for the script and stopped.
import path from "node:path";
import { dataDir } from "./config.ts";
import { startPostgres } from "./postgres.ts";

const EMBEDDED_DATABASE = "qualmeet";

export interface ConfiguredDatabase {
  url: string;
  /** stops the embedded server when it was started for this script */
  close(): Promise<void>;
}

export async function openConfiguredDatabase(root: string, env: { DATABASE_URL?: string; EMBEDDED_PG_PORT: number }): Promise<ConfiguredDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, close: async () => {} };
  const embedded = await startPostgres({ dataDir: path.join(dataDir(root), "postgres"), port: env.EMBEDDED_PG_PORT, database: EMBEDDED_DATABASE });
  return {
    url: embedded.url,
    close: async () => {
      if (embedded.startedHere) await embedded.stop();
    },
  };
}

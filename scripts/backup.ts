// `npm run backup [-- --out FILE]`: one file holding the database `npm start` uses (DATABASE_URL, else the embedded
// PostgreSQL under .data/), taken as one consistent snapshot while QualMeet keeps running. Prints what it wrote as
// JSON. Format and reasons: scripts/lib/backupFile.ts, scripts/lib/backup.ts.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exitOnInvalidEnv, parseStartEnv } from "../packages/config/src/env.ts";
import { backupDatabase } from "./lib/backup.ts";
import { dataDir } from "./lib/config.ts";
import { openConfiguredDatabase } from "./lib/configuredDatabase.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = exitOnInvalidEnv("backup", () => parseStartEnv(process.env));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  // npm runs scripts from the project root; INIT_CWD is where the operator typed the command
  const out = values.out
    ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out)
    : path.join(dataDir(root), "backups", `qualmeet-${new Date().toISOString().replace(/[:.]/g, "-")}.backup`);
  await mkdir(path.dirname(out), { recursive: true });
  const database = await openConfiguredDatabase(root, env);
  try {
    console.log(JSON.stringify(await backupDatabase(database.url, out)));
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("backup failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

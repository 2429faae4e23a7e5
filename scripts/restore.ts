// `npm run restore -- FILE [--force]`: loads a backup (`npm run backup`) into the database `npm start` uses
// (DATABASE_URL, else the embedded PostgreSQL under .data/). Refuses a database that holds data unless --force;
// all or nothing (one transaction). Stop QualMeet first: it should not write while its database is replaced.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { exitOnInvalidEnv, parseStartEnv } from "../packages/config/src/env.ts";
import { openConfiguredDatabase } from "./lib/configuredDatabase.ts";
import { restoreDatabase } from "./lib/restore.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = exitOnInvalidEnv("restore", () => parseStartEnv(process.env));

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { force: { type: "boolean", default: false } }, allowPositionals: true });
  if (positionals.length !== 1) throw new Error("say which backup to restore: npm run restore -- FILE [--force]");
  // npm runs scripts from the project root; INIT_CWD is where the operator typed the command
  const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]!);
  const database = await openConfiguredDatabase(root, env);
  try {
    console.log(JSON.stringify(await restoreDatabase(database.url, file, { force: values.force, migrationsDir: path.join(root, "prisma/migrations") })));
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    // every check and every row is inside one transaction: a failure leaves the database as it was
    console.error(`restore failed: ${error instanceof Error ? error.message : String(error)}. Nothing was changed.`);
    process.exit(1);
  },
);

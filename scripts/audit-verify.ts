// `npm run audit:verify`: checks the audit log's hash chain in the configured database (DATABASE_URL, else the
// embedded PostgreSQL under .data/ that `npm start` uses). Prints one line; exits 1 at the first broken link.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnInvalidEnv, parseStartEnv } from "../packages/config/src/env.ts";
import { createDb } from "../packages/db/src/index.ts";
import { verifyAuditChain } from "../packages/api/src/services/auditChain.ts";
import { openConfiguredDatabase } from "./lib/configuredDatabase.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = exitOnInvalidEnv("audit:verify", () => parseStartEnv(process.env));

async function main(): Promise<number> {
  const database = await openConfiguredDatabase(root, env);
  const db = createDb(database.url);
  try {
    const result = await verifyAuditChain(db);
    if (result.ok) {
      console.log(`audit log intact: ${result.rows} rows chained`);
      return 0;
    }
    console.log(`audit log broken at row ${result.rowId}: ${result.reason}`);
    return 1;
  } finally {
    await db.$disconnect();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("audit:verify failed:", error instanceof Error ? error.message : error);
    process.exit(2);
  },
);

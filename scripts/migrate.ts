// `npm run db:migrate`: what `npm start` does to a database before its servers start, for deployments whose
// servers run on their own (deploy/docker-compose.yml's `migrate` service, deploy/k8s's Job): the committed
// migrations applied (packages/db's offline migrator) and the first administrator created when none exists
// (ADMIN_EMAIL, ADMIN_PASSWORD; a generated password is printed once). Needs DATABASE_URL.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnInvalidEnv, parseStartEnv } from "../packages/config/src/env.ts";
import { applyMigrations, createDb } from "../packages/db/src/index.ts";
import { ensureFirstAdmin } from "./lib/admin.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = exitOnInvalidEnv("db:migrate", () => parseStartEnv(process.env));
const log = (line: string) => console.log(`db:migrate: ${line}`);

async function main(): Promise<void> {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set: say which PostgreSQL to migrate (npm start migrates its own)");
  const migrations = await applyMigrations(env.DATABASE_URL, path.join(root, "prisma/migrations"));
  log(migrations.applied.length ? `applied migrations: ${migrations.applied.join(", ")}` : "database schema is up to date");
  const db = createDb(env.DATABASE_URL);
  try {
    await ensureFirstAdmin(db, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }, log);
  } finally {
    await db.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("db:migrate failed:", error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

export * from "./generated/client.ts";
export { applyMigrations } from "./migrate.ts";

export function createDb(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 10, connectionTimeoutMillis: 3000 }) });
}

const globalForDb = globalThis as unknown as { qualmeetDb?: PrismaClient };

/** The process-wide client, created on first use from DATABASE_URL (reused across Next's hot reloads). */
export function getDb(): PrismaClient {
  if (!globalForDb.qualmeetDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    globalForDb.qualmeetDb = createDb(url);
  }
  return globalForDb.qualmeetDb;
}

/** True when a query reaches PostgreSQL (for health checks). */
export async function isDatabaseUp(db: PrismaClient): Promise<boolean> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

import { ReconnectingPg } from "./connectionLoss.ts";
import { PrismaClient } from "./generated/client.ts";

export * from "./generated/client.ts";
export { applyMigrations } from "./migrate.ts";
export { isConnectionLoss } from "./connectionLoss.ts";

/** How long a query is retried while the connection to PostgreSQL is lost (DATABASE_RETRY_MS, default 5 s). */
function databaseRetryMs(): number {
  const ms = Number(process.env.DATABASE_RETRY_MS ?? 5000);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`DATABASE_RETRY_MS must be a number of milliseconds, not "${process.env.DATABASE_RETRY_MS}"`);
  return ms;
}

const CONNECT_TIMEOUT_MS = 3000;

export function createDb(connectionString: string): PrismaClient {
  const retryMs = databaseRetryMs();
  return new PrismaClient({
    adapter: new ReconnectingPg({ connectionString, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }, retryMs),
    // a transaction may wait for its connection as long as a connection loss is retried (Prisma's default is 2 s)
    transactionOptions: { maxWait: retryMs + CONNECT_TIMEOUT_MS },
  });
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

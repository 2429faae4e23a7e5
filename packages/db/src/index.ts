import { env } from "@qualmeet/config";
import { ReconnectingPg } from "./connectionLoss.ts";
import { PrismaClient } from "./generated/client.ts";

export * from "./generated/client.ts";
export { applyMigrations } from "./migrate.ts";
export { isConnectionLoss } from "./connectionLoss.ts";

const CONNECT_TIMEOUT_MS = 3000;

/**
 * `retryMs`: how long a query is retried while the connection to PostgreSQL is lost (the servers pass
 * DATABASE_RETRY_MS from @qualmeet/config; scripts and tests keep the same 5 s default).
 */
export function createDb(connectionString: string, retryMs = 5000): PrismaClient {
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
    globalForDb.qualmeetDb = createDb(env.DATABASE_URL, env.DATABASE_RETRY_MS);
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

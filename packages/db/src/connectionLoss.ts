// A PostgreSQL restart (or failover) ends every pooled connection: queries in flight fail with 57P01, new
// connections are refused (ECONNREFUSED) or told 57P03 until the server accepts them again. The pool drops a
// connection that failed; this module retries the call on a fresh one, for a bounded time, so a restart costs
// no request an error once the database is back. Only calls that are safe to repeat are retried: a statement
// outside a transaction (it either ran whole or not at all) and the start of a transaction. A transaction
// that loses its connection half-way fails as a whole; its caller decides (the chat persister retries it).
import { PrismaPg } from "@prisma/adapter-pg";
import { logger } from "@qualmeet/log";

/** SQLSTATEs of a connection the server ended or would not take: admin/crash shutdown, starting up, too many. */
const LOST_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** DriverAdapterError kinds (adapter-pg) that mean the connection, not the statement, failed. */
const LOST_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** Prisma codes: can't reach the server, server closed the connection, pool timeout. */
const LOST_PRISMA_CODES = new Set(["P1001", "P1017", "P2024"]);
/** What pg throws for a socket that died, and the pool for a connection that could not be made in time. */
const LOST_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|\b57P0[123]\b/i;

/** The error itself, what it wraps (`cause`) and the driver error Prisma attaches (`meta.driverAdapterError`). */
function* layers(error: unknown): Generator<Record<string, unknown>> {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length && seen < 12; seen++) {
    const current = queue.shift();
    if (!current || typeof current !== "object") continue;
    const layer = current as Record<string, unknown>;
    yield layer;
    queue.push(layer.cause, (layer.meta as Record<string, unknown> | undefined)?.driverAdapterError);
  }
}

/** True when `error` says the connection to PostgreSQL was lost or could not be made (not that a statement was wrong). */
export function isConnectionLoss(error: unknown): boolean {
  for (const layer of layers(error)) {
    const code = typeof layer.code === "string" ? layer.code : "";
    const originalCode = typeof layer.originalCode === "string" ? layer.originalCode : "";
    const kind = typeof layer.kind === "string" ? layer.kind : "";
    for (const sqlstate of [code, originalCode]) if (LOST_SQLSTATES.has(sqlstate) || /^08[0-9A-Z]{3}$/.test(sqlstate)) return true;
    if (LOST_KINDS.has(kind) || LOST_PRISMA_CODES.has(code) || ["ECONNREFUSED", "ECONNRESET"].includes(code)) return true;
    if (typeof layer.message === "string" && LOST_MESSAGES.test(layer.message)) return true;
  }
  return false;
}

const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 1000;
let lostSince: number | null = null;

/** Runs `call`; while it fails for a lost connection it runs again (fresh connection, backoff) for up to `budgetMs`. */
export async function retryOnConnectionLoss<T>(call: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      const result = await call();
      if (lostSince !== null) {
        logger.info({ lostMs: Date.now() - lostSince }, "database: connection back");
        lostSince = null;
      }
      return result;
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      if (lostSince === null) {
        lostSince = Date.now();
        logger.warn({ err: error, retryMs: budgetMs }, "database: connection lost; each query is retried on a fresh connection");
      }
      if (Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

type PgAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;
const RETRIED_CALLS = new Set<PropertyKey>(["queryRaw", "executeRaw", "startTransaction"]);

/** adapter-pg whose statements outside transactions, and transaction starts, survive a lost connection. */
export class ReconnectingPg extends PrismaPg {
  constructor(
    config: ConstructorParameters<typeof PrismaPg>[0],
    private readonly retryBudgetMs: number,
  ) {
    super(config);
  }

  override async connect(): Promise<PgAdapter> {
    const adapter = await super.connect();
    const budgetMs = this.retryBudgetMs;
    return new Proxy(adapter, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        const method = value as (...args: unknown[]) => Promise<unknown>;
        if (!RETRIED_CALLS.has(property)) return method.bind(target);
        return (...args: unknown[]) => retryOnConnectionLoss(() => method.apply(target, args), budgetMs);
      },
    });
  }
}

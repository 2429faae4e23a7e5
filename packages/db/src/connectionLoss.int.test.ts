// A restart of the real PostgreSQL of the test run: the client's pooled connections die with it, and the
// queries after (or during) the restart succeed on fresh connections instead of failing.
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { startTestPostgres, stopTestPostgres } from "../../../tests/harness/postgres.ts";
import { createDb, type PrismaClient } from "./index.ts";
import { isConnectionLoss } from "./connectionLoss.ts";

let db: PrismaClient;

beforeAll(() => {
  // a restart on a busy 2-core machine can take seconds: the window is wide enough for it here
  process.env.DATABASE_RETRY_MS = "30000";
  db = createDb(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await db.$disconnect();
});

// whatever a test did, the next test file finds the server running
afterEach(async () => {
  await startTestPostgres();
});

/** Several connections in the pool, all open when the server goes away. */
const warmPool = () => Promise.all(Array.from({ length: 5 }, () => db.$queryRawUnsafe("SELECT 1 FROM pg_sleep(0.05)")));

test("after PostgreSQL restarts, the next queries succeed on fresh connections", async () => {
  await warmPool();
  await stopTestPostgres();
  await startTestPostgres();
  // as many at once as the pool held: none may get a dead connection
  const counts = await Promise.all(Array.from({ length: 5 }, () => db.user.count()));
  expect(counts.every((n) => Number.isInteger(n))).toBe(true);
  await expect(db.$transaction([db.user.count(), db.meeting.count()])).resolves.toHaveLength(2);
});

test("a query issued while PostgreSQL is down waits for it and succeeds once it is back", async () => {
  await warmPool();
  await stopTestPostgres();
  // a Prisma query runs when awaited: then() sends it now, to a server that refuses connections
  const during = db.user.count().then((n) => n);
  const transaction = db.$transaction([db.user.count(), db.meeting.count()]).then((counts) => counts.length);
  await startTestPostgres();
  await expect(during).resolves.toEqual(expect.any(Number));
  await expect(transaction).resolves.toBe(2);
});

test("queries in flight when PostgreSQL stops (57P01) run again on fresh connections once it is back", async () => {
  await warmPool();
  const inFlight = Array.from({ length: 3 }, () => db.$queryRawUnsafe<Array<{ ok: number }>>("SELECT 1 AS ok FROM pg_sleep(2)").then((rows) => rows[0]?.ok));
  // they are running on the server before it stops
  await expect
    .poll(async () =>
      Number((await db.$queryRawUnsafe<Array<{ n: bigint }>>("SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(2)%' AND pid <> pg_backend_pid()"))[0]?.n),
    )
    .toBeGreaterThanOrEqual(3);
  await stopTestPostgres();
  await startTestPostgres();
  await expect(Promise.all(inFlight)).resolves.toEqual([1, 1, 1]);
});

test("connection losses are told apart from wrong statements", async () => {
  await expect(db.$queryRawUnsafe("SELECT * FROM no_such_table")).rejects.toSatisfy((error: unknown) => !isConnectionLoss(error));
  expect(isConnectionLoss({ meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "57P03" } } } })).toBe(true);
  expect(isConnectionLoss(new Error("Connection terminated unexpectedly"))).toBe(true);
});

// The test run's PostgreSQL (started by globalSetup.ts), stopped and started again by outage tests. It is
// restarted, never wiped: the other test files share it (they run one after another, not at the same time).
import { startPostgres } from "../../scripts/lib/postgres.ts";

function server() {
  const dataDir = process.env.TEST_POSTGRES_DATA_DIR;
  const url = process.env.DATABASE_URL;
  if (!dataDir || !url) throw new Error("TEST_POSTGRES_DATA_DIR and DATABASE_URL come from the test run's global setup");
  const { port, pathname } = new URL(url);
  return { dataDir, port: Number(port), database: decodeURIComponent(pathname.slice(1)) };
}

/** Stops the test PostgreSQL the way an administrator does (`pg_ctl stop -m fast`: open connections get 57P01). */
export async function stopTestPostgres(): Promise<void> {
  // on a running server startPostgres only attaches to it; its handle stops it
  const running = await startPostgres(server());
  await running.stop();
}

/** Starts it again on the same port and data; resolves once it accepts connections. */
export async function startTestPostgres(): Promise<void> {
  await startPostgres(server());
}

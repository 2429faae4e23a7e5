import { getRedis, isRedisUp } from "@qualmeet/api";
import { getDb, isDatabaseUp } from "@qualmeet/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const TIMEOUT_MS = 2000;

/** `check` within TIMEOUT_MS, else false; a throw (e.g. a missing URL) is "down" too. */
async function within(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(check)
        .catch(() => false),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function GET(): Promise<Response> {
  const [database, redis] = await Promise.all([within(() => isDatabaseUp(getDb())), within(() => isRedisUp(getRedis()))]);
  const ok = database && redis;
  return Response.json(
    { status: ok ? "ok" : "degraded", database: database ? "up" : "down", redis: redis ? "up" : "down" },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}

// What a client sees when a procedure fails in a way we did not word for people (a Prisma or Redis error): a
// sentence and an error id, while the server's log line has the detail under the same id. Through tRPC's fetch
// adapter, as apps/web's /api/trpc route serves it, with Redis (the rate limits) faked.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { pino } from "pino";
import type { Redis } from "ioredis";
import { beforeAll, expect, test, vi } from "vitest";
import { logProcedureError } from "./errors.ts";
import { createTRPCRouter, publicProcedure, type Context } from "./trpc.ts";

const PRISMA_TEXT = "Invalid `prisma.user.findMany()` invocation: The table `public.User` does not exist in the current database.";
const REDIS_TEXT = "WRONGTYPE Operation against a key holding the wrong kind of value (key rl:ip:10.0.0.1 at redis://cache:6379)";

const router = createTRPCRouter({
  people: publicProcedure.query(() => {
    throw Object.assign(new Error(PRISMA_TEXT), { name: "PrismaClientKnownRequestError", code: "P2021" });
  }),
  send: publicProcedure.mutation(() => {
    throw new Error(REDIS_TEXT);
  }),
  refused: publicProcedure.query(() => {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can end this meeting." });
  }),
});

/** Every token bucket has room: these calls are not what is tested. */
const roomyRedis = {
  defineCommand: () => undefined,
  tokenBuckets: async (count: number, ...rest: Array<string | number>) => {
    const args = rest.slice(count);
    return Array.from({ length: count }, (_, i) => [Number(args[3 * i + 2]), 0]).flat();
  },
} as unknown as Redis;

const lines: Array<Record<string, unknown>> = [];
const log = pino({ level: "error" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

beforeAll(() => {
  // the procedures' middleware reads the global rate limit from the configuration
  vi.stubEnv("DATABASE_URL", "postgresql://qualmeet:pw@db:5432/qualmeet");
  vi.stubEnv("REDIS_URL", "redis://cache:6379");
  vi.stubEnv("NEXTAUTH_SECRET", "s".repeat(43));
});

async function call(path: string, method: "GET" | "POST" = "GET") {
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/${path}`, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined }),
    router,
    createContext: (): Context => ({ db: {} as Context["db"], redis: roomyRedis, session: null, ip: "10.0.0.1", transport: "http" }),
    onError: (failure) => logProcedureError(log, "web", failure),
  });
  const body = (await res.json()) as { error: { json: { message: string; data: { errorId: string | null; code: string } } } };
  return { status: res.status, text: JSON.stringify(body), error: body.error.json };
}

test("a database failure reaches the client as a sentence and an error id; the log has the detail and the same id", async () => {
  lines.length = 0;
  const { status, text, error } = await call("people");
  expect(status).toBe(500);
  expect(error.data.errorId).toMatch(/^[0-9a-f]{12}$/);
  expect(error.message).toBe(`Something went wrong on our side. Please try again in a moment; if it keeps happening, mention error id ${error.data.errorId}.`);
  expect(text).not.toMatch(/prisma|table|public\.User|P2021/i);
  const logged = lines.find((line) => line.errorId === error.data.errorId);
  expect(logged).toMatchObject({ path: "people", msg: "web: people failed", err: { message: PRISMA_TEXT } });
});

test("a Redis failure on a mutation likewise, and each failure gets its own id", async () => {
  lines.length = 0;
  const first = await call("send", "POST");
  const second = await call("send", "POST");
  expect(first.text).not.toMatch(/WRONGTYPE|redis:\/\/|rl:ip/);
  expect(first.error.data.errorId).not.toBe(second.error.data.errorId);
  expect(lines.map((line) => [line.errorId, (line.err as { message: string }).message])).toEqual([
    [first.error.data.errorId, REDIS_TEXT],
    [second.error.data.errorId, REDIS_TEXT],
  ]);
});

test("a refusal worded for people reaches them as it is, with no error id and no log line", async () => {
  lines.length = 0;
  const { status, error } = await call("refused");
  expect(status).toBe(403);
  expect(error).toMatchObject({ message: "Only the host can end this meeting.", data: { errorId: null } });
  expect(lines).toEqual([]);
});

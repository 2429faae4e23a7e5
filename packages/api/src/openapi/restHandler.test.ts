// The REST handler without servers: a router of its own (no Redis, no database), called as a program would call
// /api/v1 — input from the path, the query string and the body, answers and failures as JSON with their status.
import { initTRPC, TRPCError } from "@trpc/server";
import { describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { rest, tooManyRequests, type Context, type ProcedureMeta } from "../trpc.ts";
import { MAX_REST_BODY_BYTES, createRestHandler, type RestFailure } from "./restHandler.ts";

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create();
const listInput = z.object({ limit: z.number().int().min(1).max(10).default(5), verbose: z.boolean().optional(), name: z.string().optional() });
const echo = z.object({}).passthrough();
const route = (method: "GET" | "POST" | "PATCH", path: `/${string}`) => rest({ method, path, summary: path, tags: ["Test"] });

const router = t.router({
  things: t.router({
    list: t.procedure
      .meta(route("GET", "/things"))
      .input(listInput)
      .output(echo)
      .query(({ input }) => input),
    create: t.procedure
      .meta(route("POST", "/things"))
      .input(z.object({ title: z.string().min(1, "Give it a title.") }).default({ title: "untitled" }))
      .output(z.object({ title: z.string(), at: z.date() }))
      .mutation(({ input }) => ({ ...input, at: new Date("2030-01-02T03:04:05.000Z") })),
    rename: t.procedure
      .meta(route("PATCH", "/things/{id}"))
      .input(z.object({ id: z.string(), title: z.string() }))
      .output(echo)
      .mutation(({ input }) => input),
    forbidden: t.procedure
      .meta(route("POST", "/things/{id}/lock"))
      .input(z.object({ id: z.string() }))
      .output(echo)
      .mutation(() => {
        throw new TRPCError({ code: "FORBIDDEN", message: "Only the owner can lock it." });
      }),
    broken: t.procedure
      .meta(route("GET", "/broken"))
      .output(echo)
      .query(() => {
        throw new Error("connect ECONNREFUSED 10.0.0.7:5432 (table secret_things)");
      }),
    limited: t.procedure
      .meta(route("GET", "/limited"))
      .output(echo)
      .query(() => {
        throw tooManyRequests("things", 2500);
      }),
  }),
  notRest: t.procedure.query(() => "hidden"),
});

const failures: RestFailure[] = [];
const handle = createRestHandler({ router, createContext: async () => ({}) as Context, onError: (failure) => void failures.push(failure) });
const call = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
  const res = await handle(
    new Request(`http://localhost:3000/api/v1${path}`, { method, body, headers: body === undefined ? headers : { "content-type": "application/json", ...headers } }),
  );
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> & { error?: Record<string, unknown> } };
};

describe("REST handler", () => {
  test("GET: the query string gives numbers and booleans where the schema wants them, and the schema's defaults apply", async () => {
    expect((await call("GET", "/things?limit=7&verbose=true&name=42")).json).toEqual({ limit: 7, verbose: true, name: "42" });
    expect((await call("GET", "/things")).json).toEqual({ limit: 5 });
    // the schema itself was not changed: a string is still not a number for tRPC callers
    expect(listInput.safeParse({ limit: "7" }).success).toBe(false);
  });

  test("bad input is a 400 that names the field", async () => {
    const { status, json } = await call("GET", "/things?limit=abc");
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: "BAD_REQUEST", field: "limit", message: expect.stringMatching(/^limit: /) });
    expect((await call("GET", "/things?limit=50")).json.error!.message).toContain("limit");
    expect((await call("GET", "/things?limit=1&limit=2")).json.error).toMatchObject({ code: "BAD_REQUEST", message: "Give limit once (it was given 2 times)." });
    expect((await call("POST", "/things", JSON.stringify({ title: "" }))).json.error).toMatchObject({
      message: "title: Give it a title.",
      fieldErrors: { title: "Give it a title." },
    });
  });

  test("a JSON body is the input of the others, with the path's parts over it; times come as ISO strings", async () => {
    expect((await call("POST", "/things", JSON.stringify({ title: "Plan" }))).json).toEqual({ title: "Plan", at: "2030-01-02T03:04:05.000Z" });
    expect((await call("POST", "/things")).json).toMatchObject({ title: "untitled" });
    expect((await call("PATCH", "/things/a%2Fb", JSON.stringify({ id: "other", title: "T" }))).json).toEqual({ id: "a/b", title: "T" });
  });

  test("a body that is not a JSON object, or too large, is refused", async () => {
    expect((await call("POST", "/things", "{not json")).json.error).toMatchObject({ code: "BAD_REQUEST", message: "The body is not valid JSON." });
    expect((await call("POST", "/things", "[1]")).json.error).toMatchObject({ message: "The body must be a JSON object." });
    const huge = await call("POST", "/things", JSON.stringify({ title: "x".repeat(MAX_REST_BODY_BYTES) }));
    expect(huge.status).toBe(413);
  });

  test("an unknown path is 404, a known path with another method 405 with Allow; a procedure without a route is not reachable", async () => {
    const missing = await call("GET", "/nothing/here");
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("/api/v1/nothing/here") });
    expect((await call("GET", "/notRest")).status).toBe(404);
    const wrong = await call("DELETE", "/things");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, POST");
    expect(wrong.json.error).toMatchObject({ code: "METHOD_NOT_SUPPORTED" });
  });

  test("a refusal keeps its code and words; a failure of ours says nothing of itself but an id", async () => {
    failures.length = 0;
    const refused = await call("POST", "/things/1/lock");
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ error: { code: "FORBIDDEN", message: "Only the owner can lock it." } });
    const broken = await call("GET", "/broken");
    expect(broken.status).toBe(500);
    expect(JSON.stringify(broken.json)).not.toMatch(/ECONNREFUSED|secret_things/);
    expect(broken.json.error).toMatchObject({ code: "INTERNAL_SERVER_ERROR", errorId: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(failures.map((f) => `${f.path} ${f.error.code}`)).toEqual(["things.forbidden FORBIDDEN", "things.broken INTERNAL_SERVER_ERROR"]);
  });

  test("rate limited: 429 with Retry-After", async () => {
    const limited = await call("GET", "/limited");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.json.error).toMatchObject({ code: "TOO_MANY_REQUESTS", retryAfterMs: 2500 });
  });

  test("the context is built once per call that reaches a procedure", async () => {
    const createContext = vi.fn(async () => ({}) as Context);
    const counted = createRestHandler({ router, createContext });
    await counted(new Request("http://localhost/api/v1/things"));
    await counted(new Request("http://localhost/api/v1/unknown"));
    expect(createContext).toHaveBeenCalledTimes(1);
  });
});

// Without servers: docs/openapi.json is what the web router says (`npm run docs:openapi` rewrites it), every
// procedure marked `.meta(rest(...))` is an operation with its input, output and token scope, and a mistake in a
// route (a subscription, two procedures on one route) stops the generation with the procedure's name.
import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { loadRouters } from "../authorization/routers.ts";
import { access, createTRPCRouter, guestOrUserProcedure, rest, type ProcedureMeta } from "../trpc.ts";
import { openApiDocPath, SECURITY_SCHEME, buildOpenApiDocument, openApiJson } from "./document.ts";
import { restOperations } from "./restRoutes.ts";

const { web } = await loadRouters();
const document = buildOpenApiDocument(web);
type Operation = {
  operationId: string;
  security: unknown;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
} & Record<string, unknown>;
const operationAt = (path: string, method: string) => (document.paths as Record<string, Record<string, Operation>>)[path]?.[method];

describe("OpenAPI document (docs/openapi.json)", () => {
  test("docs/openapi.json is the generated one (regenerate: npm run docs:openapi)", async () => {
    const committed = await readFile(openApiDocPath(), "utf8").catch(() => "(docs/openapi.json is missing)");
    expect(committed, "docs/openapi.json differs from the router: run npm run docs:openapi and commit it").toBe(openApiJson(web));
  });

  test("every procedure marked as REST is an operation, with a token scope a token can really use", () => {
    const marked = Object.entries(web._def.procedures as Record<string, { _def: { meta?: ProcedureMeta } }>).filter(([, p]) => p._def.meta?.openapi);
    expect(marked.length).toBeGreaterThanOrEqual(13);
    for (const [path, procedure] of marked) {
      const { method, path: route } = procedure._def.meta!.openapi!;
      const operation = operationAt(route, method.toLowerCase());
      expect(operation, `${path}: ${method} ${route}`).toBeDefined();
      expect(operation!.operationId).toBe(path.replace(/\./g, "-"));
      expect(operation!["x-token-scope"], `${path} has no token scope: a token could not call it`).toBe(procedure._def.meta!.tokenScope);
      expect(operation!.security).toEqual([{ [SECURITY_SCHEME]: [] }]);
      expect(operation!.responses).toHaveProperty("200");
      expect(operation!.responses[401]).toEqual({ $ref: "#/components/responses/Unauthorized" });
    }
    expect(Object.values(document.paths ?? {}).flatMap((methods) => Object.keys(methods)).length).toBe(marked.length);
  });

  test("token authentication is the security scheme", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.servers).toEqual([{ url: "/api/v1" }]);
    expect(document.components?.securitySchemes?.[SECURITY_SCHEME]).toMatchObject({ type: "http", scheme: "bearer" });
  });

  test("inputs: path parts, the query string for GET, a JSON body for the others", () => {
    const get = operationAt("/meetings/{code}", "get")!;
    expect(get.parameters).toEqual([expect.objectContaining({ name: "code", in: "path", required: true })]);
    const list = operationAt("/meetings", "get")!;
    expect(list.parameters?.map((p) => `${p.in} ${p.name}`)).toEqual(["query limit", "query cursor"]);
    const create = operationAt("/meetings", "post")!;
    expect(create.requestBody).toMatchObject({
      content: { "application/json": { schema: { properties: { title: { maxLength: 120 }, maxParticipants: { minimum: 2, maximum: 500 } } } } },
    });
    const setAccess = operationAt("/meetings/{code}/access", "patch")!;
    expect(setAccess.parameters?.map((p) => p.name)).toEqual(["code"]);
    expect(JSON.stringify(setAccess.requestBody)).not.toContain('"code"');
  });

  test("outputs: named schemas, times as date-time strings, one error body", () => {
    const schemas = document.components!.schemas! as Record<string, { properties: Record<string, unknown>; required?: string[] }>;
    expect(Object.keys(schemas).sort()).toEqual(["ChatHistoryPage", "ChatMessage", "Conversation", "CurrentUser", "Error", "Meeting"]);
    expect(schemas.Meeting!.properties.createdAt).toEqual({ type: "string", format: "date-time" });
    expect(schemas.Meeting!.required).toContain("code");
    expect(operationAt("/meetings/{code}/end", "post")!.responses[200]).toEqual({
      description: "Successful response",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Meeting" } } },
    });
    expect(schemas.Error!.properties.error).toMatchObject({ required: ["code", "message"] });
    expect(JSON.stringify(document)).not.toContain("Output");
  });
});

describe("REST routes", () => {
  const output = z.object({ ok: z.boolean() });

  test("a subscription or two procedures on one route is refused, naming the procedure", () => {
    const twice = createTRPCRouter({
      a: guestOrUserProcedure
        .meta(access("user"))
        .meta(rest({ method: "GET", path: "/x", summary: "a", tags: ["T"] }))
        .output(output)
        .query(() => ({ ok: true })),
      b: guestOrUserProcedure
        .meta(access("user"))
        .meta(rest({ method: "GET", path: "/x", summary: "b", tags: ["T"] }))
        .output(output)
        .query(() => ({ ok: true })),
    });
    expect(() => restOperations(twice)).toThrow("b: GET /x is another procedure's route already");
    const live = createTRPCRouter({
      s: guestOrUserProcedure
        .meta(access("user"))
        .meta(rest({ method: "GET", path: "/s", summary: "s", tags: ["T"] }))
        .subscription(async function* () {}),
    });
    expect(() => restOperations(live)).toThrow("s: a subscription cannot be a REST route");
  });

  test("a path part matches one segment, any character but a slash", () => {
    const [operation] = restOperations(web).filter((o) => o.procedure === "meeting.admit");
    expect(operation!.pathParams).toEqual(["code", "userId"]);
    expect(operation!.pattern.exec("/meetings/ab-cd/lobby/u%201/admit")?.slice(1)).toEqual(["ab-cd", "u%201"]);
    expect(operation!.pattern.test("/meetings/a/b/lobby/u/admit")).toBe(false);
    expect(operation!.pattern.test("/meetings/abc/lobby/u/admit/")).toBe(false);
  });
});

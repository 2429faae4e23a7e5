// The REST routes of a router: every procedure with `.meta(rest(...))`, with what the REST handler needs to match a
// request to it (a pattern for its path) and to build its input (which fields come from the path and the query).
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { z } from "zod";
import type { ProcedureMeta, RestRoute } from "../trpc.ts";

/** Where the routes are served (the web app's /api/v1/[...path] route) and what the OpenAPI document's server says. */
export const REST_BASE_PATH = "/api/v1";

export interface RestOperation {
  route: RestRoute;
  /** the procedure's path in its router: "meeting.get" */
  procedure: string;
  type: "query" | "mutation";
  meta: ProcedureMeta;
  /** the path's `{name}` parts, in order */
  pathParams: string[];
  /** matches a request path under REST_BASE_PATH; its groups are the path parameters, in order */
  pattern: RegExp;
  /** the procedure's (first) input parser; null when it takes none */
  input: z.ZodType | null;
  /** the input may be left out (it has a default): a request that gives nothing sends nothing, else `{}` */
  inputOptional: boolean;
}

/** tRPC keeps a procedure's parsers on its definition; they are not in the public type. */
interface ProcedureDefinition {
  type: "query" | "mutation" | "subscription";
  inputs: z.ZodType[];
  meta?: ProcedureMeta;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The router's REST operations, in its own order. A subscription or a second route on one path and method is a mistake: it throws. */
export function restOperations(router: AnyRouter): RestOperation[] {
  const operations: RestOperation[] = [];
  for (const [procedure, definition] of Object.entries(router._def.procedures as Record<string, AnyProcedure>)) {
    const def = definition._def as unknown as ProcedureDefinition;
    const route = def.meta?.openapi;
    if (!route) continue;
    if (def.type === "subscription") throw new Error(`${procedure}: a subscription cannot be a REST route`);
    if (def.inputs.length > 1) throw new Error(`${procedure}: a REST route takes one input parser`);
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    const pattern = new RegExp(
      `^${route.path
        .split(/\{\w+\}/)
        .map(escapeRegExp)
        .join("([^/]+)")}$`,
    );
    if (operations.some((other) => other.route.path === route.path && other.route.method === route.method)) {
      throw new Error(`${procedure}: ${route.method} ${route.path} is another procedure's route already`);
    }
    const input = def.inputs[0] ?? null;
    operations.push({ route, procedure, type: def.type, meta: def.meta!, pathParams, pattern, input, inputOptional: input?.safeParse(undefined).success ?? true });
  }
  return operations;
}

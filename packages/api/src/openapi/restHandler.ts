// The REST routes (/api/v1/...) of the OpenAPI document, served by calling the procedure through tRPC's server-side
// caller with the context /api/trpc builds: the same middlewares (token scopes, rate limits, access checks), the same
// zod parsers. The input is the path's `{name}` parts plus the query string (GET) or the JSON body (the others);
// query values are turned into the number or boolean the schema asks for here, field by field, so no schema is ever
// changed (trpc-to-openapi's own adapter turns coercion on in the schemas themselves, for every caller).
import { TRPCError, getTRPCErrorFromUnknown, type AnyRouter } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { z } from "zod";
import { createCallerFactory, describeError, type Context } from "../trpc.ts";
import { restOperations, REST_BASE_PATH, type RestOperation } from "./restRoutes.ts";

/** A JSON body larger than this is refused before it is parsed (no REST input comes near it). */
export const MAX_REST_BODY_BYTES = 64 * 1024;

export interface RestFailure {
  error: TRPCError;
  /** the procedure's path, when the request reached one */
  path: string | undefined;
  type: "query" | "mutation" | "unknown";
  req: Request;
}

export interface RestHandlerOptions {
  router: AnyRouter;
  /** the request's tRPC context, built as /api/trpc builds it */
  createContext: (req: Request) => Promise<Context>;
  /** every failure, for logs and metrics (an unexpected one is logged with its detail there) */
  onError?: (failure: RestFailure) => void;
}

const JSON_HEADERS = { "Cache-Control": "no-store" };

/** A handler for every method of the web app's /api/v1/[...path] route. */
export function createRestHandler({ router, createContext, onError }: RestHandlerOptions): (req: Request) => Promise<Response> {
  const operations = restOperations(router);
  const createCaller = createCallerFactory(router);
  return async (req) => {
    const pathname = new URL(req.url).pathname;
    const local = pathname.startsWith(`${REST_BASE_PATH}/`) ? pathname.slice(REST_BASE_PATH.length) : null;
    const matching = local === null ? [] : operations.filter((operation) => operation.pattern.test(local));
    const method = req.method === "HEAD" ? "GET" : req.method;
    const operation = matching.find((candidate) => candidate.route.method === method);
    if (!operation) {
      if (matching.length === 0) return failure(new TRPCError({ code: "NOT_FOUND", message: `There is no REST operation at ${pathname} (see /api/openapi.json).` }));
      const allow = [...new Set(matching.map((candidate) => candidate.route.method))].join(", ");
      const refusal = failure(new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `${pathname} answers ${allow}, not ${req.method}.` }));
      refusal.headers.set("Allow", allow);
      return refusal;
    }
    try {
      const input = await inputOf(req, operation, local!);
      const caller = createCaller(await createContext(req)) as unknown as Record<string, unknown>;
      const call = operation.procedure.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
      const result = await call(input);
      return Response.json(result ?? null, { headers: JSON_HEADERS });
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path: operation.procedure, type: operation.type, req });
      return failure(error);
    }
  };
}

/** `{ error: { code, message, ... } }` with the status tRPC gives the code (restErrorSchema in document.ts). */
function failure(error: TRPCError): Response {
  const { message, field, fieldErrors, retryAfterMs, errorId } = describeError(error);
  const body = {
    code: error.code,
    message,
    ...(field ? { field } : {}),
    ...(fieldErrors ? { fieldErrors } : {}),
    ...(retryAfterMs !== null ? { retryAfterMs } : {}),
    ...(errorId ? { errorId } : {}),
  };
  const headers = new Headers(JSON_HEADERS);
  if (retryAfterMs !== null) headers.set("Retry-After", String(Math.ceil(retryAfterMs / 1000)));
  return Response.json({ error: body }, { status: getHTTPStatusCodeFromError(error), headers });
}

const badRequest = (message: string) => new TRPCError({ code: "BAD_REQUEST", message });

/** The procedure's input: undefined when it takes none, else the path parameters over the query string or body. */
async function inputOf(req: Request, operation: RestOperation, local: string): Promise<unknown> {
  const values = operation.pattern.exec(local)!.slice(1);
  const fromPath = Object.fromEntries(operation.pathParams.map((name, i) => [name, decodePathPart(values[i]!)]));
  const rest = operation.route.method === "GET" ? queryInput(new URL(req.url).searchParams, operation.input) : await bodyInput(req);
  if (!operation.input) return undefined;
  // a path parameter is the path's, whatever the body says; nothing at all lets the schema's default apply
  const input = { ...rest, ...fromPath };
  return Object.keys(input).length === 0 && operation.inputOptional ? undefined : input;
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`The path part "${part}" is not valid percent-encoding.`);
  }
}

/** The query string as the schema's fields: a number or boolean field gets one when the text is one (else zod says what is wrong). */
function queryInput(params: URLSearchParams, schema: z.ZodType | null): Record<string, unknown> | undefined {
  const input: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    if (all.length > 1) throw badRequest(`Give ${key} once (it was given ${all.length} times).`);
    input[key] = asFieldType(all[0]!, fieldKind(schema, key));
  }
  return Object.keys(input).length ? input : undefined;
}

type FieldKind = "number" | "boolean" | "other";

/** What kind of value a field of an object schema takes, through optional, nullable, default and pipe wrappers. */
export function fieldKind(schema: z.ZodType | null, key: string): FieldKind {
  let object = schema && unwrap(schema);
  if (object?._zod.def.type !== "object") return "other";
  const field = (object as unknown as z.ZodObject).shape[key];
  object = field ? unwrap(field as z.ZodType) : null;
  const type = object?._zod.def.type;
  return type === "number" || type === "boolean" ? type : "other";
}

function unwrap(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  if (def.innerType && ["optional", "nullable", "default", "prefault", "readonly", "nonoptional"].includes(def.type)) return unwrap(def.innerType);
  if (def.type === "pipe" && def.in) return unwrap(def.in);
  return schema;
}

function asFieldType(text: string, kind: FieldKind): unknown {
  if (kind === "number" && text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  if (kind === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** A JSON object body, or undefined when there is none. */
async function bodyInput(req: Request): Promise<Record<string, unknown> | undefined> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_REST_BODY_BYTES) throw new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `The body is larger than ${MAX_REST_BODY_BYTES} bytes.` });
  const text = await readLimited(req);
  if (text.trim() === "") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest("The body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("The body must be a JSON object.");
  return body as Record<string, unknown>;
}

/** The body as text, stopping at MAX_REST_BODY_BYTES whatever Content-Length said (a chunked body has none). */
async function readLimited(req: Request): Promise<string> {
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_REST_BODY_BYTES) throw new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `The body is larger than ${MAX_REST_BODY_BYTES} bytes.` });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

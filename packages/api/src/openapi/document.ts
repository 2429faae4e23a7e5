// The OpenAPI 3.1 document of the REST routes (`.meta(rest(...))`), written by trpc-to-openapi from the procedures'
// zod input and output parsers, then completed with what only we know: who may call each operation, the API token
// scope it needs, and the error body our REST handler (restHandler.ts) answers with. Served at /api/openapi.json,
// shown at /docs/api, committed as docs/openapi.json (npm run docs:openapi; a unit test fails when it is stale).
import path from "node:path";
import type { AnyRouter } from "@trpc/server";
import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { z } from "zod";
import { describeRule } from "../authorization/procedures.ts";
import { chatMessageSchema, conversationSchema, historyPageSchema } from "../router/chat/output.schema.ts";
import { meetingSchema } from "../router/meeting/output.schema.ts";
import { currentUserSchema } from "../router/user/current.ts";
import { restOperations, REST_BASE_PATH, type RestOperation } from "./restRoutes.ts";

/** docs/openapi.json, for the script and the test (a function: in the web app's bundle this module has no directory) */
export const openApiDocPath = (): string => path.resolve(import.meta.dirname, "../../../../docs/openapi.json");

export const SECURITY_SCHEME = "apiToken";

/** What every failed REST call answers (restHandler.ts), whatever the status. */
export const restErrorSchema = z.object({
  error: z.object({
    code: z.string().describe("the tRPC error code: BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, TOO_MANY_REQUESTS, ..."),
    message: z.string().describe("what went wrong, for people; a bad input names the field"),
    field: z.string().optional().describe("the input field at fault"),
    fieldErrors: z.record(z.string(), z.string()).optional().describe("each field at fault and what is wrong with it"),
    retryAfterMs: z.number().int().optional().describe("rate limited: when to try again (also the Retry-After header, in seconds)"),
    errorId: z.string().optional().describe("a failure on our side: the id to quote"),
  }),
});

/** The statuses every operation may answer besides 200, and when (named as components/responses). */
const ERROR_STATUSES: Record<string, [name: string, description: string]> = {
  400: ["BadRequest", "The input is not valid (the message names the field), or the body is not JSON"],
  401: ["Unauthorized", "No valid API token or session: the token was revoked, has expired or never existed"],
  403: ["Forbidden", "Not allowed: the token lacks the scope this operation needs, or the caller may not do this"],
  404: ["NotFound", "No such object (or none the caller may see)"],
  409: ["Conflict", "The change conflicts with the object's state"],
  412: ["PreconditionFailed", "The object is not in a state that allows this (a meeting that has ended)"],
  429: ["TooManyRequests", "Rate limited: see retryAfterMs and Retry-After"],
  500: ["InternalServerError", "A failure on our side: the message has an id to quote"],
  503: ["ServiceUnavailable", "The database or Redis is unreachable for a moment: try again"],
};

/** The schemas the document names (as components) instead of writing them out at every use. */
const NAMED_SCHEMAS = {
  Meeting: meetingSchema,
  Conversation: conversationSchema,
  ChatMessage: chatMessageSchema,
  ChatHistoryPage: historyPageSchema,
  CurrentUser: currentUserSchema,
  Error: restErrorSchema,
};

const DESCRIPTION = [
  "QualMeet's HTTP procedures that make sense as REST, for programs in any language.",
  "",
  "Authenticate with a personal access token (made at /settings/tokens, shown once): `Authorization: Bearer qm_...`.",
  "A token reaches only the operations of its scopes; every call also counts against the token's and the operation's rate limits.",
  "GET operations take their input from the query string, the others from a JSON body (`Content-Type: application/json`);",
  "`{name}` parts of a path are input fields too. Times are ISO 8601 strings (UTC).",
  'Every failure answers `{ "error": { "code", "message", ... } }` with the status the code stands for.',
  "The TypeScript client (@qualmeet/client) reaches every procedure, live events included; docs/api.md lists them all.",
].join("\n");

function describeOperation(operation: RestOperation): string {
  const scope = operation.meta.tokenScope;
  const token = scope === "any" ? "any valid API token" : scope ? `an API token with the scope \`${scope}\`` : "no API token (a signed-in session only)";
  return [`Who may call it: ${describeRule(operation.meta.access ?? null)}.`, `Authentication: ${token}.`, `The procedure: \`${operation.procedure}\` (docs/api.md).`].join("\n\n");
}

type OperationObject = Record<string, unknown> & { responses: Record<string, unknown> };

/** The document as docs/openapi.json holds it and /api/openapi.json serves it. */
export const openApiJson = (router: AnyRouter): string => `${JSON.stringify(buildOpenApiDocument(router), null, 2)}\n`;

/** The document for a router's REST routes; the same router gives the same document, byte for byte. */
export function buildOpenApiDocument(router: AnyRouter): OpenAPIObject {
  const document = generateOpenApiDocument(router as unknown as OpenApiRouter, {
    title: "QualMeet REST API",
    version: "1",
    description: DESCRIPTION,
    baseUrl: REST_BASE_PATH,
    securitySchemes: {
      [SECURITY_SCHEME]: { type: "http", scheme: "bearer", bearerFormat: "qm_...", description: "A personal access token (Settings, API tokens)." },
    },
    defs: NAMED_SCHEMAS,
  });
  for (const operation of restOperations(router)) {
    const entry = document.paths?.[operation.route.path]?.[operation.route.method.toLowerCase() as "get"] as OperationObject | undefined;
    if (!entry) throw new Error(`${operation.procedure}: ${operation.route.method} ${operation.route.path} is missing from the OpenAPI document`);
    entry.description = describeOperation(operation);
    if (operation.meta.tokenScope) entry["x-token-scope"] = operation.meta.tokenScope;
    // trpc-to-openapi's own error bodies ({ message, code }) are not what our handler answers
    entry.responses = {
      200: entry.responses[200],
      ...Object.fromEntries(Object.entries(ERROR_STATUSES).map(([status, [name]]) => [status, { $ref: `#/components/responses/${name}` }])),
    };
  }
  const components = document.components!;
  components.responses = Object.fromEntries(
    Object.values(ERROR_STATUSES).map(([name, description]) => [name, { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]),
  );
  const schemas = components.schemas!;
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  return singleNamedSchemas(document);
}

/**
 * zod-openapi writes a named schema used inside another one's output twice, as `X` (its input reading, which
 * nothing here sends) and `XOutput`: answers are all these schemas describe, so `X` is kept, with the output reading.
 */
function singleNamedSchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components!.schemas!;
  const doubled = Object.keys(schemas).filter((name) => name.endsWith("Output") && name.slice(0, -"Output".length) in schemas);
  for (const name of doubled) {
    schemas[name.slice(0, -"Output".length)] = schemas[name]!;
    delete schemas[name];
  }
  let text = JSON.stringify(document);
  for (const name of doubled) text = text.replaceAll(`"#/components/schemas/${name}"`, `"#/components/schemas/${name.slice(0, -"Output".length)}"`);
  return JSON.parse(text) as OpenAPIObject;
}

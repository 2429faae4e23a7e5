// What docs/api.md says of each procedure, read from the routers themselves: the access rule and rate limits from
// its `.meta()`, the input from its zod parsers, the output from an `.output()` parser or else its TypeScript type.
import path from "node:path";
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import { z } from "zod";
import { listProcedures, type ProcedureEntry, type Server } from "../authorization/procedures.ts";
import { loadRouters } from "../authorization/routers.ts";
import type { HandlerLimit, ProcedureMeta, RestRoute } from "../trpc.ts";
import { outputShapes, type OutputTarget } from "./outputTypes.ts";
import { zodShape, type SchemaText } from "./schemaText.ts";
import type { Shape } from "./typeText.ts";

/** docs/api.md, from the repository root */
export const API_DOC = path.resolve(import.meta.dirname, "../../../../docs/api.md");

export interface ApiProcedure extends ProcedureEntry {
  /** null: the procedure takes no input */
  input: SchemaText | null;
  output: Shape;
  rateLimit: NonNullable<ProcedureMeta["rateLimit"]> | null;
  handlerLimits: HandlerLimit[];
  /** the personal access token scope that lets a token call it; null: tokens cannot */
  tokenScope: ProcedureMeta["tokenScope"] | null;
  /** its REST route under /api/v1 (docs/openapi.json); null: tRPC only */
  rest: RestRoute | null;
}

/** Reads the output types of the procedures that declare no `.output()` parser (outputTypes.ts, or a stand-in in tests). */
export type OutputTypes = (targets: OutputTarget[]) => Map<string, Shape>;

/** What tRPC keeps of a procedure: `output` (its `.output()` parser) is there at run time but not in the public type. */
interface ProcedureDefinition {
  inputs: unknown[];
  output?: unknown;
  meta?: unknown;
}

/** Every procedure of both routers, in the order listProcedures gives (web first, each router's own order). */
export function describeProcedures(routers: Record<Server, AnyRouter>, outputTypes: OutputTypes): ApiProcedure[] {
  const entries = listProcedures(routers);
  const definitions = (entry: ProcedureEntry) => (routers[entry.server]._def.procedures as Record<string, AnyProcedure>)[entry.path]!._def as ProcedureDefinition;
  const typed = outputTypes(entries.filter((entry) => !definitions(entry).output));
  return entries.map((entry) => {
    const def = definitions(entry);
    const meta = def.meta as ProcedureMeta | undefined;
    const input = inputOf(entry, def.inputs);
    const output = def.output ? zodShape(zodParser(entry, def.output, "output"), "output").shape : typed.get(`${entry.server} ${entry.path}`);
    if (!output) throw new Error(`${entry.server} ${entry.path}: no output type was read for it`);
    return {
      ...entry,
      input,
      output,
      rateLimit: meta?.rateLimit ?? null,
      handlerLimits: meta?.handlerLimits ?? [],
      tokenScope: meta?.tokenScope ?? null,
      rest: meta?.openapi ?? null,
    };
  });
}

/** Several `.input()` parsers are merged by tRPC: the caller sends one object meeting all of them. */
function inputOf(entry: ProcedureEntry, parsers: unknown[]): ApiProcedure["input"] {
  if (parsers.length === 0) return null;
  const read = parsers.map((parser) => zodShape(zodParser(entry, parser, "input"), "input"));
  if (read.length === 1) return read[0]!;
  return {
    shape: { kind: "intersection", of: read.map((r) => r.shape) },
    note: read
      .map((r) => r.note)
      .filter(Boolean)
      .join("; "),
  };
}

function zodParser(entry: ProcedureEntry, parser: unknown, which: "input" | "output"): z.ZodType {
  if (parser instanceof z.ZodType) return parser;
  throw new Error(`${entry.server} ${entry.path}: its ${which} parser is not a zod schema, and docs/api.md is written from zod schemas: use one`);
}

/**
 * The procedures of the running code, with the rate limits of the default configuration: the docs must not change
 * with the RATE_LIMIT_* or WS_MAX_* settings of the shell that writes them. Call it before anything reads the
 * configuration (it is parsed once).
 */
export async function loadApiProcedures(): Promise<ApiProcedure[]> {
  for (const name of Object.keys(process.env)) if (/^(RATE_LIMIT|WS_MAX)_/.test(name)) delete process.env[name];
  return describeProcedures(await loadRouters(), outputShapes);
}

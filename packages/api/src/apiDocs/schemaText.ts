// A procedure's zod parser as a Shape, through zod's own JSON Schema (z.toJSONSchema). What JSON Schema cannot say
// (a Date, a refinement, a transform) must not stop the docs: the input side of a transform is shown, a check
// that is code is left out, and a Date or a bigint is named by a marker the override leaves on the schema.
import { z } from "zod";
import { named, unionOf, type Field, type Shape } from "./typeText.ts";

type JsonSchema = { [key: string]: unknown };

/** zod types JSON Schema has no word for, and the TypeScript name the docs use for each */
const UNREPRESENTABLE: Record<string, string> = { date: "Date", bigint: "bigint", map: "Map", set: "Set", symbol: "symbol", undefined: "undefined", void: "void", nan: "number" };
const MARKER = "x-typescript";

/** A zod schema as docs/api.md shows it: its shape, what the whole of it must meet, and its default (JSON) if it has one. */
export interface SchemaText {
  shape: Shape;
  note: string;
  default?: string;
}

/** What a caller sends (`io: "input"`) or receives (`io: "output"`, for an `.output()` parser). */
export function zodShape(schema: z.ZodType, io: "input" | "output"): SchemaText {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    // a self-reference becomes a $ref, named below
    cycles: "ref",
    override: ({ zodSchema, jsonSchema }) => {
      const name = UNREPRESENTABLE[zodSchema._zod.def.type];
      if (name) jsonSchema[MARKER] = name;
      // a timestamp's "date-time" (for the OpenAPI document) says nothing "Date" does not
      if (name === "Date") delete jsonSchema.format;
    },
  }) as JsonSchema;
  const { default: fallback, ...constraints } = json;
  const text = { shape: bareShapeOf(json), note: notesOf(constraints) };
  return "default" in json ? { ...text, default: JSON.stringify(fallback) } : text;
}

/** Inside an array or a union: a name carries its constraints with it; an object's own (a default) are left out. */
function shapeOf(schema: JsonSchema): Shape {
  const shape = bareShapeOf(schema);
  const note = notesOf(schema);
  return note && shape.kind === "name" ? named(shape.text, shape.note ? `${shape.note}, ${note}` : note) : shape;
}

function bareShapeOf(schema: JsonSchema): Shape {
  if (typeof schema[MARKER] === "string") return named(schema[MARKER]);
  if (typeof schema.$ref === "string") return named(schema.$ref === "#" ? "(this type)" : (schema.$ref.split("/").pop() ?? "unknown"));
  if ("const" in schema) return named(JSON.stringify(schema.const));
  if (Array.isArray(schema.enum)) return unionOf(schema.enum.map((value) => named(JSON.stringify(value))));
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return unionOf(alternatives.map(shapeOf));
  // schemas that must all hold; beside a type (several patterns on one string) they are that type's notes instead
  if (Array.isArray(schema.allOf) && schema.type === undefined) return { kind: "intersection", of: (schema.allOf as JsonSchema[]).map(shapeOf) };
  if (schema.not !== undefined) return named("never");
  if (Array.isArray(schema.type)) return unionOf(schema.type.map((type) => bareShapeOf({ ...schema, type })));
  switch (schema.type) {
    case "string":
    case "boolean":
    case "null":
      return named(schema.type);
    case "number":
      return named("number");
    case "integer":
      return named("number", "integer");
    case "array":
      if (Array.isArray(schema.prefixItems)) return { kind: "tuple", items: (schema.prefixItems as JsonSchema[]).map(shapeOf) };
      return { kind: "array", of: schema.items ? shapeOf(schema.items as JsonSchema) : named("unknown") };
    case "object":
      return objectShape(schema);
    default:
      // {}: anything (z.unknown(), z.any(), or a custom check JSON Schema cannot say)
      return named("unknown");
  }
}

function objectShape(schema: JsonSchema): Shape {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const fields: Field[] = Object.entries(properties).map(([name, property]) => {
    const note = notesOf(property);
    return { name, optional: !required.has(name), shape: bareShapeOf(property), ...(note ? { note } : {}) };
  });
  const extra = schema.additionalProperties;
  const rest = extra && typeof extra === "object" ? shapeOf(extra as JsonSchema) : undefined;
  return rest ? { kind: "object", fields, rest } : { kind: "object", fields };
}

/** The constraints a caller must meet, in words: format, length, range, size, default, description. */
function notesOf(schema: JsonSchema): string {
  const notes: string[] = [];
  const n = (key: string) => (typeof schema[key] === "number" ? (schema[key] as number) : undefined);
  if (typeof schema.format === "string") notes.push(schema.format);
  // a format's pattern (a UUID's) says nothing the format does not
  else if (typeof schema.pattern === "string") notes.push(`matches /${schema.pattern}/`);
  notes.push(...range(n("minLength"), n("maxLength"), "characters"));
  notes.push(...range(n("minItems"), n("maxItems"), "items"));
  // z.number().int() bounds itself to the safe integers: nothing a caller needs told
  const bound = (key: string) => (n(key) !== undefined && Math.abs(n(key)!) < Number.MAX_SAFE_INTEGER ? n(key) : undefined);
  if (bound("minimum") !== undefined) notes.push(`≥ ${n("minimum")}`);
  if (n("exclusiveMinimum") !== undefined) notes.push(`> ${n("exclusiveMinimum")}`);
  if (bound("maximum") !== undefined) notes.push(`≤ ${n("maximum")}`);
  if (n("exclusiveMaximum") !== undefined) notes.push(`< ${n("exclusiveMaximum")}`);
  if ("default" in schema) notes.push(`default ${JSON.stringify(schema.default)}`);
  if (typeof schema.description === "string") notes.push(schema.description);
  if (Array.isArray(schema.allOf) && schema.type !== undefined) notes.push(...(schema.allOf as JsonSchema[]).map(notesOf).filter(Boolean));
  return notes.join(", ");
}

function range(min: number | undefined, max: number | undefined, unit: string): string[] {
  if (min !== undefined && max !== undefined) return [min === max ? `${min} ${unit}` : `${min}–${max} ${unit}`];
  if (min !== undefined) return min > 0 ? [`at least ${min} ${unit}`] : [];
  if (max !== undefined) return [`at most ${max} ${unit}`];
  return [];
}

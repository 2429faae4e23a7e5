// A JSON Schema of the OpenAPI document as the reference page shows it: TypeScript-like text, a named schema by its
// name (the page lists each once), a field's description as a comment.

export type JsonSchema = { [key: string]: unknown };

const INDENT = "  ";

/** The name a `$ref` points to: "#/components/schemas/Meeting" is "Meeting". */
export const refName = (ref: string): string => ref.split("/").pop() ?? ref;

export function schemaText(schema: JsonSchema, depth = 0): string {
  if (typeof schema.$ref === "string") return refName(schema.$ref);
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return alternatives.map((alternative) => schemaText(alternative, depth)).join(" | ");
  if (Array.isArray(schema.type)) return schema.type.map((type: unknown) => schemaText({ ...schema, type }, depth)).join(" | ");
  switch (schema.type) {
    case "object":
      return objectText(schema, depth);
    case "array": {
      const items = schemaText((schema.items as JsonSchema | undefined) ?? {}, depth);
      return items.includes(" | ") ? `(${items})[]` : `${items}[]`;
    }
    case "string":
      return schema.format === "date-time" ? "string (ISO 8601 time)" : "string";
    case "integer":
      return "integer";
    case "number":
    case "boolean":
    case "null":
      return schema.type;
    default:
      return "unknown";
  }
}

function objectText(schema: JsonSchema, depth: number): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const entries = Object.entries(properties);
  if (entries.length === 0) {
    const values = schema.additionalProperties;
    return typeof values === "object" && values !== null ? `{ [key: string]: ${schemaText(values as JsonSchema, depth)} }` : "{}";
  }
  const pad = INDENT.repeat(depth + 1);
  const lines = entries.map(([name, property]) => {
    const comment = [typeof property.description === "string" ? property.description : null, limitsOf(property)].filter(Boolean).join("; ");
    const optional = required.has(name) ? "" : "?";
    return `${pad}${name}${optional}: ${schemaText(property, depth + 1)};${comment ? ` // ${comment}` : ""}`;
  });
  return `{\n${lines.join("\n")}\n${INDENT.repeat(depth)}}`;
}

/** What a field must meet, in words (the bounds of safe integers say nothing a reader needs). */
function limitsOf(schema: JsonSchema): string {
  const said: string[] = [];
  const bound = (value: unknown) => typeof value === "number" && Math.abs(value) < Number.MAX_SAFE_INTEGER;
  if (bound(schema.minimum)) said.push(`at least ${String(schema.minimum)}`);
  if (bound(schema.maximum)) said.push(`at most ${String(schema.maximum)}`);
  if (typeof schema.minLength === "number") said.push(`at least ${schema.minLength} characters`);
  if (typeof schema.maxLength === "number") said.push(`at most ${schema.maxLength} characters`);
  if (schema.format === "uuid") said.push("a UUID");
  if ("default" in schema) said.push(`default ${JSON.stringify(schema.default)}`);
  return said.join(", ");
}

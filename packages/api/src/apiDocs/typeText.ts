// The TypeScript-like text docs/api.md shows for a procedure's input and output. Both sources (a zod schema's JSON
// Schema, a TypeScript type from the compiler) are read into a Shape, and one printer lays it out, so inputs and
// outputs read alike.

export type Shape =
  | { kind: "name"; text: string; note?: string }
  | { kind: "array"; of: Shape }
  | { kind: "tuple"; items: Shape[] }
  | { kind: "union"; of: Shape[] }
  | { kind: "intersection"; of: Shape[] }
  | { kind: "object"; fields: Field[]; rest?: Shape };

export interface Field {
  name: string;
  optional: boolean;
  shape: Shape;
  /** what the value must meet (from a schema), shown after the field */
  note?: string;
}

/** An object wider than this on one line is printed one field per line. */
const LINE_WIDTH = 100;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export const named = (text: string, note?: string): Shape => (note ? { kind: "name", text, note } : { kind: "name", text });

/** A union of its distinct members, in a stable order: TypeScript's own order of members varies with what was checked first. */
export function unionOf(members: Shape[]): Shape {
  const flat = members.flatMap((member) => (member.kind === "union" ? member.of : [member]));
  const distinct = new Map(flat.map((member) => [printShape(member), member]));
  if (distinct.has("true") && distinct.has("false")) {
    distinct.delete("true");
    distinct.delete("false");
    distinct.set("boolean", named("boolean"));
  }
  const ordered = [...distinct.entries()].sort(([a], [b]) => unionRank(a) - unionRank(b) || (a < b ? -1 : a > b ? 1 : 0)).map(([, member]) => member);
  return ordered.length === 1 ? ordered[0]! : { kind: "union", of: ordered };
}

// null and undefined last, so "string | null" reads as TypeScript is usually written
const unionRank = (text: string) => (text === "null" ? 1 : text === "undefined" ? 2 : 0);

/** The shape as TypeScript-like text; `indent` is the column the text starts at (nested objects indent from it). */
export function printShape(shape: Shape, indent = 0): string {
  switch (shape.kind) {
    case "name":
      return shape.note ? `${shape.text} /* ${shape.note} */` : shape.text;
    case "array": {
      const item = printShape(shape.of, indent);
      return shape.of.kind === "union" || shape.of.kind === "intersection" ? `(${item})[]` : `${item}[]`;
    }
    case "tuple":
      return `[${shape.items.map((item) => printShape(item, indent)).join(", ")}]`;
    case "union": {
      const inline = shape.of.map((member) => printShape(member, indent)).join(" | ");
      if (!inline.includes("\n") && indent + inline.length <= LINE_WIDTH) return inline;
      // one member per line, each starting with "|", as prettier writes a long union
      const pad = " ".repeat(indent + 2);
      return shape.of.map((member) => `\n${pad}| ${printShape(member, indent + 4)}`).join("");
    }
    case "intersection":
      return shape.of.map((member) => printShape(member, indent)).join(" & ");
    case "object":
      return printObject(shape.fields, shape.rest, indent);
  }
}

function printObject(fields: Field[], rest: Shape | undefined, indent: number): string {
  if (fields.length === 0 && !rest) return "{}";
  const key = (field: Field) => `${IDENTIFIER.test(field.name) ? field.name : JSON.stringify(field.name)}${field.optional ? "?" : ""}`;
  const noted = fields.some((field) => field.note || (field.shape.kind === "name" && field.shape.note));
  if (!noted) {
    const parts = fields.map((field) => `${key(field)}: ${printShape(field.shape, indent)}`);
    if (rest) parts.push(`[key: string]: ${printShape(rest, indent)}`);
    const inline = `{ ${parts.join("; ")} }`;
    if (!inline.includes("\n") && indent + inline.length <= LINE_WIDTH) return inline;
  }
  const pad = " ".repeat(indent + 2);
  const lines = fields.map((field) => {
    // a field's own constraints go to the end of its line, where they do not break up the type
    const { shape } = field;
    const notes = [shape.kind === "name" ? shape.note : undefined, field.note].filter(Boolean);
    const type = shape.kind === "name" ? shape.text : printShape(shape, indent + 2);
    return `${pad}${key(field)}:${type.startsWith("\n") ? "" : " "}${type};${notes.length ? ` // ${notes.join(", ")}` : ""}`;
  });
  if (rest) lines.push(`${pad}[key: string]: ${printShape(rest, indent + 2)};`);
  return `{\n${lines.join("\n")}\n${" ".repeat(indent)}}`;
}

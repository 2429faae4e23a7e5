// What each procedure answers, read from the routers' types with the TypeScript compiler: no procedure declares an
// `.output()` parser, so its handler's return type (as a client sees it, `inferRouterOutputs`) is the only
// description there is. A subscription's output is what it yields.
import path from "node:path";
import ts from "typescript";
import type { ProcedureType, Server } from "../authorization/procedures.ts";
import { named, unionOf, type Field, type Shape } from "./typeText.ts";

export interface OutputTarget {
  server: Server;
  path: string;
  type: ProcedureType;
}

const API_SOURCES = path.resolve(import.meta.dirname, "..");
// a file the program is given but that never exists on disk: it names one type per procedure
const ENTRY = path.join(API_SOURCES, "apiDocs", "procedureOutputs.generated.ts");
const ROUTER_TYPE: Record<Server, string> = { web: "WebOutputs", realtime: "RealtimeOutputs" };

/** Objects nested deeper than this are shown by their type's name (a Prisma model's relations go on and on). */
const MAX_DEPTH = 6;
/** Library types a client receives as themselves (superjson carries them): shown by name, not by their members. */
const BY_NAME = new Set(["Date", "Map", "Set", "RegExp", "Uint8Array", "Buffer", "URL", "Decimal"]);

/** The output type of every target as a Shape, keyed `${server} ${path}`. Takes a few seconds: it type-checks the routers. */
export function outputShapes(targets: OutputTarget[]): Map<string, Shape> {
  const entry = [
    'import type { inferRouterOutputs } from "@trpc/server";',
    'import type { AppRouter } from "../root.ts";',
    'import type { RealtimeRouter } from "../realtimeRoot.ts";',
    `type ${ROUTER_TYPE.web} = inferRouterOutputs<AppRouter>;`,
    `type ${ROUTER_TYPE.realtime} = inferRouterOutputs<RealtimeRouter>;`,
    "type Yielded<T> = T extends AsyncIterable<infer U> ? U : T;",
    ...targets.map((target, i) => {
      const access = target.path
        .split(".")
        .map((segment) => `[${JSON.stringify(segment)}]`)
        .join("");
      const output = `${ROUTER_TYPE[target.server]}${access}`;
      return `export type Output${i} = ${target.type === "subscription" ? `Yielded<${output}>` : output};`;
    }),
  ].join("\n");

  const options = compilerOptions();
  const program = ts.createProgram({ rootNames: [ENTRY], options, host: hostWith(options, ENTRY, entry) });
  const source = program.getSourceFile(ENTRY)!;
  const problems = ts.getPreEmitDiagnostics(program, source).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  if (problems.length) throw new Error(`reading the procedures' output types failed (does npm run typecheck pass?):\n${problems.join("\n")}`);

  const checker = program.getTypeChecker();
  const aliases = new Map(source.statements.filter(ts.isTypeAliasDeclaration).map((alias) => [alias.name.text, alias.name]));
  const reader = new TypeReader(checker);
  return new Map(targets.map((target, i) => [`${target.server} ${target.path}`, reader.shape(checker.getTypeAtLocation(aliases.get(`Output${i}`)!), 0)]));
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(API_SOURCES, "..", "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath)).options, noEmit: true };
}

/** The compiler's own host, which also finds `fileName` with `text` in it. */
function hostWith(options: ts.CompilerOptions, fileName: string, text: string): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) => (name === fileName ? ts.createSourceFile(name, text, languageVersion) : getSourceFile(name, languageVersion, ...rest));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  return host;
}

const SIMPLE =
  ts.TypeFlags.Any |
  ts.TypeFlags.Unknown |
  ts.TypeFlags.String |
  ts.TypeFlags.Number |
  ts.TypeFlags.Boolean |
  ts.TypeFlags.BigInt |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void |
  ts.TypeFlags.Never |
  ts.TypeFlags.Literal |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.TemplateLiteral;

class TypeReader {
  /** the object types being expanded: a type met inside itself is shown by name */
  private readonly open = new Set<ts.Type>();

  constructor(private readonly checker: ts.TypeChecker) {}

  shape(type: ts.Type, depth: number): Shape {
    const { checker } = this;
    if (type.flags & SIMPLE) return named(checker.typeToString(type));
    if (type.isUnion()) return unionOf(type.types.map((member) => this.shape(member, depth)));
    if (checker.isArrayType(type)) return { kind: "array", of: this.shape(checker.getTypeArguments(type as ts.TypeReference)[0]!, depth) };
    if (checker.isTupleType(type)) return { kind: "tuple", items: checker.getTypeArguments(type as ts.TypeReference).map((item) => this.shape(item, depth)) };
    const name = (type.aliasSymbol ?? type.getSymbol())?.getName();
    if (name && BY_NAME.has(name)) return named(name);
    if (!(type.flags & ts.TypeFlags.Object) && !type.isIntersection()) return named(checker.typeToString(type));
    if (type.getCallSignatures().length > 0 && type.getProperties().length === 0) return named("function");
    if (depth >= MAX_DEPTH || this.open.has(type)) return named(checker.typeToString(type));
    this.open.add(type);
    try {
      return this.objectShape(type, depth);
    } finally {
      this.open.delete(type);
    }
  }

  /** An object or an intersection of objects: their properties together, as a client sees them. */
  private objectShape(type: ts.Type, depth: number): Shape {
    const { checker } = this;
    const fields: Field[] = checker.getPropertiesOfType(type).map((property) => {
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const propertyType = checker.getTypeOfSymbol(property);
      // `a?: T` reads T | undefined under strict checks: the "?" already says so
      const shape =
        optional && propertyType.isUnion()
          ? unionOf(propertyType.types.filter((member) => !(member.flags & ts.TypeFlags.Undefined)).map((member) => this.shape(member, depth + 1)))
          : this.shape(propertyType, depth + 1);
      return { name: property.getName(), optional, shape };
    });
    const index = checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    return index ? { kind: "object", fields, rest: this.shape(index.type, depth + 1) } : { kind: "object", fields };
  }
}

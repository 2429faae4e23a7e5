import type { Metadata } from "next";
import Link from "next/link";
import { openApiDocumentText } from "@qualmeet/api/openapi";
import { Brand } from "@/components/Brand";
import { refName, schemaText, type JsonSchema } from "@/components/apiReference/schemaText";

export const metadata: Metadata = { title: "REST API reference" };
// the routers read the configuration as they load: rendered on request, not at build time
export const dynamic = "force-dynamic";

interface Parameter {
  name: string;
  in: "path" | "query";
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, { $ref?: string; content?: { "application/json": { schema: JsonSchema } } }>;
  "x-token-scope"?: string;
}

interface Document {
  info: { title: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, { description: string }> };
}

const METHOD_COLORS: Record<string, string> = {
  get: "bg-emerald-100 text-emerald-800",
  post: "bg-indigo-100 text-indigo-800",
  patch: "bg-amber-100 text-amber-800",
  put: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

/** /docs/api: the OpenAPI document (/api/openapi.json) for people, drawn here on the server: no script, nothing from elsewhere. */
export default function ApiReferencePage() {
  const document = JSON.parse(openApiDocumentText()) as Document;
  const base = document.servers[0]?.url ?? "";
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
  const tags = [...new Set(operations.flatMap(({ operation }) => operation.tags))];
  return (
    <>
      <Brand />
      <main className="mx-auto flex w-full max-w-4xl flex-col gap-6">
        <section className="card">
          <h1 className="text-2xl font-bold tracking-tight">{document.info.title}</h1>
          {document.info.description.split("\n\n").map((paragraph) => (
            <p key={paragraph} className="mt-3 whitespace-pre-line text-slate-700">
              {paragraph}
            </p>
          ))}
          <p className="mt-3 text-slate-700">
            Machine-readable:{" "}
            <a className="link" href="/api/openapi.json">
              /api/openapi.json
            </a>{" "}
            (OpenAPI 3.1). Tokens:{" "}
            <Link className="link" href="/settings/tokens">
              Settings, API tokens
            </Link>
            .
          </p>
          <nav aria-label="Operations" className="mt-4">
            {tags.map((tag) => (
              <div key={tag} className="mt-2">
                <h2 className="text-sm font-semibold text-slate-500">{tag}</h2>
                <ul className="mt-1 flex flex-col gap-1 text-sm">
                  {operations
                    .filter(({ operation }) => operation.tags.includes(tag))
                    .map(({ path, method, operation }) => (
                      <li key={operation.operationId}>
                        <a className="link font-mono" href={`#${operation.operationId}`}>
                          {`${method.toUpperCase()} ${base}${path}`}
                        </a>{" "}
                        <span className="text-slate-600">{operation.summary}</span>
                      </li>
                    ))}
                </ul>
              </div>
            ))}
          </nav>
        </section>
        {operations.map(({ path, method, operation }) => (
          <OperationCard key={operation.operationId} path={`${base}${path}`} method={method} operation={operation} errors={document.components.responses} />
        ))}
        <section className="card" aria-labelledby="schemas">
          <h2 id="schemas" className="text-xl font-bold tracking-tight">
            Schemas
          </h2>
          {Object.entries(document.components.schemas).map(([name, schema]) => (
            <div key={name} id={`schema-${name}`} className="mt-4">
              <h3 className="font-mono font-semibold">{name}</h3>
              <Code text={schemaText(schema)} />
            </div>
          ))}
        </section>
      </main>
    </>
  );
}

function OperationCard({ path, method, operation, errors }: { path: string; method: string; operation: Operation; errors: Document["components"]["responses"] }) {
  const body = operation.requestBody?.content["application/json"].schema;
  const success = operation.responses[200]?.content?.["application/json"].schema;
  const failures = Object.entries(operation.responses).filter(([status]) => status !== "200");
  return (
    <section className="card" id={operation.operationId} aria-labelledby={`${operation.operationId}-title`}>
      <h2 id={`${operation.operationId}-title`} className="flex flex-wrap items-center gap-3 font-mono text-lg font-semibold">
        <span className={`rounded px-2 py-0.5 text-sm ${METHOD_COLORS[method] ?? "bg-slate-100"}`}>{method.toUpperCase()}</span>
        {path}
      </h2>
      <p className="mt-2 font-semibold">{operation.summary}</p>
      {operation.description.split("\n\n").map((paragraph) => (
        <p key={paragraph} className="mt-1 text-sm text-slate-700">
          {paragraph}
        </p>
      ))}
      {operation.parameters?.length ? (
        <>
          <h3 className="mt-4 font-semibold">Parameters</h3>
          <table className="mt-1 w-full text-left text-sm">
            <thead>
              <tr className="text-slate-500">
                <th className="py-1 pr-4 font-medium">name</th>
                <th className="py-1 pr-4 font-medium">in</th>
                <th className="py-1 font-medium">type</th>
              </tr>
            </thead>
            <tbody>
              {operation.parameters.map((parameter) => (
                <tr key={parameter.name} className="border-t border-slate-100 align-top">
                  <td className="py-1 pr-4 font-mono">
                    {parameter.name}
                    {parameter.required ? "" : "?"}
                  </td>
                  <td className="py-1 pr-4">{parameter.in}</td>
                  <td className="py-1 font-mono">{schemaText(parameter.schema)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {body ? (
        <>
          <h3 className="mt-4 font-semibold">Body (JSON{operation.requestBody?.required ? "" : ", may be left out"})</h3>
          <Code text={schemaText(body)} />
        </>
      ) : null}
      <h3 className="mt-4 font-semibold">200</h3>
      {success ? <SchemaOrRef schema={success} /> : null}
      <h3 className="mt-4 font-semibold">Failures</h3>
      <ul className="mt-1 text-sm text-slate-700">
        {failures.map(([status, response]) => (
          <li key={status}>
            <span className="font-mono">{status}</span> {response.$ref ? errors[refName(response.$ref)]?.description : null}
          </li>
        ))}
      </ul>
      <p className="mt-1 text-sm text-slate-600">
        Each with the body{" "}
        <a className="link font-mono" href="#schema-Error">
          Error
        </a>
        .
      </p>
    </section>
  );
}

function SchemaOrRef({ schema }: { schema: JsonSchema }) {
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    return (
      <p className="mt-1 text-sm">
        <a className="link font-mono" href={`#schema-${name}`}>
          {name}
        </a>
      </p>
    );
  }
  return <Code text={schemaText(schema)} />;
}

function Code({ text }: { text: string }) {
  return <pre className="mt-1 overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">{text}</pre>;
}

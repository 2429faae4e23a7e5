// docs/api.md: every procedure of both routers (name, transport, kind, who may call it, rate limits, input and
// output), grouped by server and domain. No dates or machine details in it: the unit test compares it byte for byte.
import { describeRule, type Server } from "../authorization/procedures.ts";
import type { HandlerLimit, ProcedureMeta } from "../trpc.ts";
import type { ApiProcedure } from "./apiProcedures.ts";
import type { SchemaText } from "./schemaText.ts";
import { printShape } from "./typeText.ts";

/** The limits every call or connection meets, from the configuration (their defaults, see loadApiProcedures). */
export interface ConnectionLimits {
  RATE_LIMIT_GLOBAL_PER_MIN: number;
  RATE_LIMIT_WS_UPGRADES_PER_MIN: number;
  WS_MAX_SOCKETS_PER_IP: number;
  WS_MAX_SOCKETS_PER_USER: number;
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: number;
  WS_MAX_REQUESTS_PER_MESSAGE: number;
}

const SERVERS: Record<Server, { title: string; transport: string }> = {
  web: { title: "Web app (HTTP)", transport: "HTTP, the web app's `/api/trpc`" },
  realtime: { title: "Realtime node (WebSocket)", transport: "WebSocket, the realtime node (`REALTIME_PUBLIC_URL`)" },
};

const anchor = (p: ApiProcedure) => `${p.server}.${p.path}`;
const domainOf = (p: ApiProcedure) => p.path.split(".")[0]!;

export function renderApiDoc(procedures: ApiProcedure[], limits: ConnectionLimits): string {
  const lines = [...preamble(limits), "## Contents", ""];
  const servers = [...new Set(procedures.map((p) => p.server))];
  for (const server of servers) {
    lines.push(`- ${SERVERS[server].title}`);
    for (const [domain, inDomain] of byDomain(procedures.filter((p) => p.server === server))) {
      lines.push(`  - ${domain}: ${inDomain.map((p) => `[${p.path.slice(domain.length + 1)}](#${anchor(p)})`).join(", ")}`);
    }
  }
  for (const server of servers) {
    lines.push("", `## ${SERVERS[server].title}`);
    for (const [domain, inDomain] of byDomain(procedures.filter((p) => p.server === server))) {
      lines.push("", `### ${domain}`);
      for (const procedure of inDomain) lines.push("", ...section(procedure, limits));
    }
  }
  return `${lines.join("\n")}\n`;
}

function preamble(limits: ConnectionLimits): string[] {
  return [
    "# API reference",
    "",
    "Generated from the routers (`packages/api/src/root.ts`, served over HTTP by the web app at `/api/trpc`, and",
    "`packages/api/src/realtimeRoot.ts`, served over WebSocket by the realtime node) by `npm run docs:api`; do not edit by",
    "hand: `packages/api/src/apiDocs/apiDocs.test.ts` fails when this file differs from what the routers say.",
    "",
    "Each procedure shows its full name as a client calls it, the server and transport, its kind (query, mutation or",
    "subscription), who may call it (its `.meta(access(...))` rule, as in [authorization.md](authorization.md)), its rate",
    "limits, its input (from its zod schema, as a caller sends it) and its output (a subscription's: each event it",
    "yields; from an `.output()` schema where there is one, else the TypeScript type a client gets, `RouterOutputs`).",
    "Dates travel as `Date` (superjson on both transports). `// ...` after a field says what the server checks.",
    "",
    "Rate limits are token buckets in Redis, shared by every node; a refused call fails with `TOO_MANY_REQUESTS` and",
    "says when to retry (`data.retryAfterMs`). Every call, on either server, also takes a token from its address",
    `block's bucket (an IPv6 client's whole /64): at most ${limits.RATE_LIMIT_GLOBAL_PER_MIN} calls a minute (\`RATE_LIMIT_GLOBAL_PER_MIN\`).`,
    "A procedure's own limit is per user (per address block when signed out, or where it says so) and multiplied by",
    "`RATE_LIMIT_SCALE`. The counts below are the defaults; a count that is a setting names it (README, Configuration).",
    `The realtime node accepts at most ${limits.RATE_LIMIT_WS_UPGRADES_PER_MIN} new sockets a minute per address block (\`RATE_LIMIT_WS_UPGRADES_PER_MIN\`),`,
    `${limits.WS_MAX_SOCKETS_PER_IP} open sockets per address block and ${limits.WS_MAX_SOCKETS_PER_USER} per user (\`WS_MAX_SOCKETS_PER_IP\`, \`WS_MAX_SOCKETS_PER_USER\`),`,
    `${limits.WS_MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per socket and ${limits.WS_MAX_REQUESTS_PER_MESSAGE} requests per message`,
    "(`WS_MAX_SUBSCRIPTIONS_PER_SOCKET`, `WS_MAX_REQUESTS_PER_MESSAGE`).",
    "",
  ];
}

/** The procedures of one server by domain (the path's first part), domains in the order they first appear. */
function byDomain(procedures: ApiProcedure[]): Map<string, ApiProcedure[]> {
  const domains = new Map<string, ApiProcedure[]>();
  for (const p of procedures) domains.set(domainOf(p), [...(domains.get(domainOf(p)) ?? []), p]);
  return domains;
}

function section(p: ApiProcedure, limits: ConnectionLimits): string[] {
  const input = p.input ? inputLines(p.input) : ["none"];
  return [
    `<a id="${anchor(p)}"></a>`,
    "",
    `#### \`${p.path}\``,
    "",
    `- transport: ${SERVERS[p.server].transport}`,
    `- kind: ${p.type}`,
    `- who may call it: ${p.access ? describeRule(p.access) : "not declared (add `.meta(access(...))`: the authorization tests fail without it)"}`,
    ...rateLimitLines(p, limits),
    `- API tokens: ${tokenLine(p.tokenScope)}`,
    ...(p.rest ? [`- REST: \`${p.rest.method} /api/v1${p.rest.path}\` (docs/openapi.json)`] : []),
    "",
    "Input:",
    "",
    ...input,
    "",
    p.type === "subscription" ? "Output (each event):" : "Output:",
    "",
    ...codeBlock(printShape(p.output)),
  ];
}

function tokenLine(scope: ApiProcedure["tokenScope"]): string {
  if (scope === "any") return "any valid token";
  return scope ? `with the scope \`${scope}\`` : "cannot call it (FORBIDDEN)";
}

function inputLines(input: SchemaText): string[] {
  const whole = [...(input.note ? [`The input as a whole: ${input.note}.`] : []), ...(input.default ? [`It may be left out: it is then \`${input.default}\`.`] : [])];
  return [...codeBlock(printShape(input.shape)), ...(whole.length ? ["", ...whole] : [])];
}

function rateLimitLines(p: ApiProcedure, limits: ConnectionLimits): string[] {
  const own = p.rateLimit ? [ownLimit(p.rateLimit)] : [];
  const inHandler = p.handlerLimits.map(handlerLimit);
  const all = [...own, ...inHandler];
  if (all.length === 0) return [`- rate limit: none beyond the address block's ${limits.RATE_LIMIT_GLOBAL_PER_MIN} calls a minute`];
  if (all.length === 1) return [`- rate limit: ${all[0]}`];
  return ["- rate limits:", ...all.map((limit) => `  - ${limit}`)];
}

function ownLimit(limit: NonNullable<ProcedureMeta["rateLimit"]>): string {
  const per = limit.per === "ip" ? "address block" : "user (address block when signed out)";
  const setting = limit.setting ? `, count set by \`${limit.setting}\`` : "";
  return `${limit.what}: ${limit.capacity} ${perWindow(limit.windowMs)} per ${per} (bucket \`${limit.scope}\`${setting})`;
}

function handlerLimit(limit: HandlerLimit): string {
  const { rule } = limit;
  return `${limit.what}: ${rule.capacity} ${perWindow(rule.windowMs)} per ${limit.per} (bucket \`${rule.scope}\`, checked by the handler)`;
}

function perWindow(windowMs: number): string {
  const units: Array<[number, string]> = [
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) {
    if (windowMs % size !== 0) continue;
    const count = windowMs / size;
    if (unit === "s") return `per ${count} s`;
    if (count > 1) return `per ${count} ${unit}s`;
    return unit === "hour" ? "an hour" : `a ${unit}`;
  }
  return `per ${windowMs} ms`;
}

function codeBlock(text: string): string[] {
  // a long union starts on its own line
  return ["```ts", ...text.replace(/^\n/, "").split("\n"), "```"];
}

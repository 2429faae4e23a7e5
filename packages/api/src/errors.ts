import { randomBytes } from "node:crypto";
import { TRPCError, type ProcedureType } from "@trpc/server";
import { isConnectionLoss } from "@qualmeet/db";
import type { Logger } from "@qualmeet/log";

/** A TRPCError about one input field, so forms can show it beside that field. */
export class FieldError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export function fieldError(code: "CONFLICT" | "BAD_REQUEST", field: string, message: string): TRPCError {
  return new TRPCError({ code, message, cause: new FieldError(field, message) });
}

const REDIS_FAILURES = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Command timed out/i,
  /max retries per request/i,
  /Reached the max retries/i,
  /ECONNREFUSED.*:\d+$/,
  /not replicated yet/,
];

function* causes(error: unknown): Generator<unknown> {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** Which backing service an error says is unreachable, if any. */
export function unavailableService(error: unknown): "database" | "redis" | null {
  for (const e of causes(error)) {
    const name = (e as Error).name ?? "";
    const message = (e as Error).message ?? "";
    if (name === "MaxRetriesPerRequestError" || REDIS_FAILURES.some((re) => re.test(message))) return "redis";
    if (isConnectionLoss(e)) return "database";
  }
  return null;
}

export function serviceUnavailable(service: "database" | "redis", cause: unknown): TRPCError {
  const what = service === "database" ? "The database" : "Redis";
  return new TRPCError({
    code: "SERVICE_UNAVAILABLE",
    message: `${what} is unavailable right now. Nothing was changed; please try again in a moment.`,
    cause,
  });
}

/**
 * A failure of ours (a library threw: Prisma, Redis, pg, a bug), not a refusal our code worded for people. Its own
 * text names tables, queries and hosts: the client never sees it.
 */
export const isUnexpected = (error: TRPCError): boolean => error.code === "INTERNAL_SERVER_ERROR" && error.cause !== undefined;

const errorIds = new WeakMap<object, string>();

/** The id a failure is known by, in the client's message and on the server's log line alike (same error, same id). */
export function errorIdOf(error: unknown): string {
  const known = typeof error === "object" && error !== null;
  let id = known ? errorIds.get(error) : undefined;
  if (!id) {
    id = randomBytes(6).toString("hex");
    if (known) errorIds.set(error, id);
  }
  return id;
}

/** What a person is told about an unexpected failure: a sentence and the id to quote. */
export const unexpectedFailureMessage = (errorId: string): string =>
  `Something went wrong on our side. Please try again in a moment; if it keeps happening, mention error id ${errorId}.`;

/**
 * For the tRPC adapters' onError (the web app's HTTP handler, the realtime socket handler): an unexpected failure
 * is logged with its detail and the error id the client was given.
 */
export function logProcedureError(
  log: Logger,
  server: "web" | "realtime",
  failure: { error: TRPCError; path: string | undefined; type: ProcedureType | "unknown" },
  context: Record<string, unknown> = {},
): void {
  const { error, path, type } = failure;
  if (!isUnexpected(error)) return;
  log.error({ err: error.cause, errorId: errorIdOf(error), path, type, ...context }, `${server}: ${path ?? "request"} failed`);
}

import { TRPCError } from "@trpc/server";
import { isConnectionLoss } from "@qualmeet/db";

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

const REDIS_FAILURES = [/Connection is closed/i, /Stream isn't writeable/i, /Command timed out/i, /max retries per request/i, /Reached the max retries/i, /ECONNREFUSED.*:\d+$/];

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

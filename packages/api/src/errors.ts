import { TRPCError } from "@trpc/server";

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
    const code = (e as { code?: string }).code ?? "";
    if (name === "MaxRetriesPerRequestError" || REDIS_FAILURES.some((re) => re.test(message))) return "redis";
    if (/Prisma|DriverAdapter/.test(name) || /P1001|P1017|P2024/.test(code) || /DatabaseNotReachable|Can't reach database|ECONNREFUSED|connection terminated|Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
      if (/ECONNREFUSED|reach|terminated|timeout|P1001|P1017|P2024|NotReachable/i.test(`${code} ${message}`)) return "database";
    }
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

// What the server refused and why, from any tRPC call (HTTP or realtime), and the words to show for it. A refusal
// is an answer the server wrote (a tRPC error with its data); a transport failure (no answer, a proxy's error page)
// is not one.
import { TRPCClientError } from "@trpc/client";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

export interface Refusal {
  /** tRPC's code, e.g. "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST", "TOO_MANY_REQUESTS" */
  code: TRPC_ERROR_CODE_KEY;
  /** the server's sentence for people */
  message: string;
  /** after a rate limit: how long until a call may succeed */
  retryAfterMs: number | null;
  /** the input field the refusal is about, when it is about one */
  field: string | null;
  /** per-field messages of an invalid input, keyed by the field's path */
  fieldErrors: Record<string, string>;
  /** the id an unexpected server failure was logged with (for a support request) */
  errorId: string | null;
}

/** What our servers put in a tRPC error's `data` (packages/api's error formatter). */
interface RefusalData {
  code?: TRPC_ERROR_CODE_KEY;
  retryAfterMs?: number | null;
  field?: string | null;
  fieldErrors?: Record<string, string> | null;
  errorId?: string | null;
}

const SOMETHING_WENT_WRONG = "Something went wrong. Please try again.";
const UNREACHABLE = "The server could not be reached. Check your connection; we will keep trying.";

/** The server's refusal in an error from a tRPC call, or null when the error is no answer from the server. */
export function refusalOf(error: unknown): Refusal | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as RefusalData | null | undefined;
  if (!data?.code) return null;
  const fieldErrors: Record<string, string> = {};
  for (const [key, message] of Object.entries(data.fieldErrors ?? {})) if (key) fieldErrors[key] = message;
  if (data.field && !fieldErrors[data.field]) fieldErrors[data.field] = error.message;
  return {
    code: data.code,
    message: error.message,
    retryAfterMs: typeof data.retryAfterMs === "number" ? data.retryAfterMs : null,
    field: data.field ?? null,
    fieldErrors,
    errorId: data.errorId ?? null,
  };
}

export type Refusable<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/**
 * A call whose refusal is a value instead of a throw (`if (!result.ok) ... result.refusal.code`). Anything else
 * (the server unreachable, a bug) still throws.
 */
export async function withRefusals<T>(call: Promise<T> | (() => Promise<T>)): Promise<Refusable<T>> {
  try {
    return { ok: true, value: await (typeof call === "function" ? call() : call) };
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    return { ok: false, refusal };
  }
}

/**
 * The message to show for an error from any tRPC call. Only messages the server wrote for people are shown; a
 * transport failure gets plain words instead.
 */
export function errorMessage(error: unknown, fallback = SOMETHING_WENT_WRONG): string {
  if (error instanceof TRPCClientError) return error.data && error.message ? error.message : UNREACHABLE;
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}

/** Per-field messages of a refused call (`data.field` / zod's `data.fieldErrors`), keyed by input field. */
export function fieldErrors(error: unknown): Record<string, string> {
  return refusalOf(error)?.fieldErrors ?? {};
}

/**
 * Why the realtime server closed or refused a socket, in words for people: its own close codes (4000-4999) carry a
 * reason ("too many connections (limit 20)"); other codes do not.
 */
export function closeRefusalOf(event: { code: number; reason: string }): string | null {
  return event.code >= 4000 && event.code < 5000 && event.reason ? event.reason : null;
}

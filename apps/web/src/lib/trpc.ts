// The typed tRPC client of the web app's HTTP router (React Query bindings). Types only from @qualmeet/api.
import { createTRPCReact, type CreateTRPCReact } from "@trpc/react-query";
import { httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@qualmeet/api";

export const trpc: CreateTRPCReact<AppRouter, unknown> = createTRPCReact<AppRouter>();

export function createHttpClient() {
  return trpc.createClient({
    links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })],
  });
}

export type AppClientError = TRPCClientError<AppRouter>;

const SOMETHING_WENT_WRONG = "Something went wrong. Please try again.";
const UNREACHABLE = "The server could not be reached. Check your connection; we will keep trying.";

/**
 * The message to show for an error from any tRPC call. Only messages the server wrote for people (a tRPC error
 * with its `data`) are shown; a transport failure (no answer, a proxy's error page) gets plain words instead.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.data && error.message ? error.message : UNREACHABLE;
  if (error instanceof Error && error.message) return error.message;
  return SOMETHING_WENT_WRONG;
}

/** Per-field messages of a tRPC error (`data.field` / zod `data.fieldErrors`), keyed by input field. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = (error as AppClientError).data;
  const out: Record<string, string> = {};
  if (data?.fieldErrors) for (const [key, message] of Object.entries(data.fieldErrors)) if (key) out[key] = message;
  if (data?.field && !out[data.field]) out[data.field] = error.message;
  return out;
}

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
export { errorMessage } from "./errors";

/** Per-field messages of a tRPC error (`data.field` / zod `data.fieldErrors`), keyed by input field. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const data = (error as AppClientError).data;
  const out: Record<string, string> = {};
  if (data?.fieldErrors) for (const [key, message] of Object.entries(data.fieldErrors)) if (key) out[key] = message;
  if (data?.field && !out[data.field]) out[data.field] = error.message;
  return out;
}

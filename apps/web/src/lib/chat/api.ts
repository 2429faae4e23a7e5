// Plain (non-React) tRPC clients for lib/chat: the web app's HTTP router for lists and history, the realtime
// socket for everything live.
import { createTRPCClient, httpBatchLink, TRPCClientError, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@qualmeet/api";

let http: TRPCClient<AppRouter> | null = null;

export function chatHttp(): TRPCClient<AppRouter> {
  http ??= createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] });
  return http;
}

/** The tRPC error code of a failed call, or null for a transport failure (socket closed, network). */
export function errorCode(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const code = (error.data as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : null;
}

// Refusals that a retry cannot change; anything else (no answer, Redis down, rate limited) is retried.
const PERMANENT = new Set(["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE", "UNPROCESSABLE_CONTENT"]);

export const isPermanentError = (error: unknown): boolean => PERMANENT.has(errorCode(error) ?? "");

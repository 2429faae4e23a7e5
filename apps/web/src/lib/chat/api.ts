// Plain (non-React) tRPC clients for lib/chat: the web app's HTTP router for lists and history, the realtime
// socket for everything live.
import { createWebClient, refusalOf, type AppRouter, type TRPCClient } from "@qualmeet/client";

let http: TRPCClient<AppRouter> | null = null;

export function chatHttp(): TRPCClient<AppRouter> {
  http ??= createWebClient();
  return http;
}

/** The tRPC error code of a failed call, or null for a transport failure (socket closed, network). */
export function errorCode(error: unknown): string | null {
  return refusalOf(error)?.code ?? null;
}

// Refusals that a retry cannot change; anything else (no answer, Redis down, rate limited) is retried.
const PERMANENT = new Set(["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE", "UNPROCESSABLE_CONTENT"]);

export const isPermanentError = (error: unknown): boolean => PERMANENT.has(errorCode(error) ?? "");

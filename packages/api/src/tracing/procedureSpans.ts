// A server span for every tRPC query and mutation, made by the one middleware each procedure starts with (trpc.ts),
// on the web app (HTTP) and the realtime nodes (WebSocket) alike. Its parent is the caller's trace, put in place by
// the transport (withRemoteParent). Subscriptions are not spans: they live as long as a page.
import { SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { TRPCError } from "@trpc/server";
import { tracer } from "./traceContext.ts";

// on globalThis: the web app's route handlers are a bundle with their own copy of this module, and the SDK is started
// by its server outside that bundle (the OpenTelemetry API keeps its own registration on globalThis too)
const TRACING = Symbol.for("qualmeet.tracing");
const globals = globalThis as { [TRACING]?: boolean };

/** Called once the SDK is started (sdk.ts): until then procedures skip the span entirely. */
export function procedureSpansOn(): void {
  globals[TRACING] = true;
}

/** The tRPC error code, never the message (it may quote what a user typed). */
function refused(span: Span, code: TRPCError["code"]): void {
  span.setAttribute("trpc.error_code", code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Runs `next` inside span "trpc <path>"; a refused or failed call marks it with its tRPC error code. */
export function tracedCall<R extends { ok: boolean }>(call: { path: string; type: string }, next: () => Promise<R>): Promise<R> {
  if (!globals[TRACING] || call.type === "subscription") return next();
  const attributes = { "rpc.system": "trpc", "rpc.method": call.path, "trpc.type": call.type };
  return tracer.startActiveSpan(`trpc ${call.path}`, { kind: SpanKind.SERVER, attributes }, async (span) => {
    try {
      const result = await next();
      if (!result.ok) refused(span, (result as unknown as { error: TRPCError }).error.code);
      return result;
    } catch (error) {
      refused(span, error instanceof TRPCError ? error.code : "INTERNAL_SERVER_ERROR");
      throw error;
    } finally {
      span.end();
    }
  });
}

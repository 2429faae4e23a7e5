// The one way QualMeet carries a trace between processes: the W3C `traceparent` of the active span, as text. It rides
// in the `traceparent` HTTP header (tRPC over HTTP), in a request's `params.traceparent` on the realtime WebSocket,
// after an `@` in the routing part of Redis pub/sub messages between nodes, and in a `tc` field of the chat outbox
// entry the persister reads. Without the SDK (OTEL_EXPORTER_OTLP_ENDPOINT unset) the OpenTelemetry API is a no-op:
// there is no active span, `currentTraceparent()` is "" and nothing extra is written anywhere.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";

export const tracer = trace.getTracer("qualmeet");

/** The active span's W3C traceparent, or "" when nothing is traced. */
export function currentTraceparent(): string {
  if (!trace.getActiveSpan()) return "";
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? "";
}

/** The context of a remote parent named by `traceparent` (the active one when there is none). */
export function remoteParent(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
}

/**
 * Runs `fn` as a child of the caller's trace (`traceparent` from the wire), unless a span is already active here
 * (e.g. the web framework's own server span, which read the same header).
 */
export function withRemoteParent<T>(traceparent: string | null | undefined, fn: () => T): T {
  if (!traceparent || trace.getActiveSpan()) return fn();
  return context.with(remoteParent(traceparent), fn);
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The caller's trace in a tRPC request on the realtime WebSocket: `params.traceparent`, beside tRPC's own
 * `input` and `path` (a W3C traceparent; anything else is ignored). "" when there is none.
 */
export function requestTraceparent(message: unknown): string {
  const params = (message as { params?: { traceparent?: unknown } } | null)?.params;
  const traceparent = params?.traceparent;
  return typeof traceparent === "string" && TRACEPARENT.test(traceparent) ? traceparent : "";
}

/** Splits "<token>@<traceparent>" (the routing token of a pub/sub message) into both; no "@", no trace. */
export function splitTraced(token: string): [token: string, traceparent: string] {
  const at = token.indexOf("@");
  return at < 0 ? [token, ""] : [token.slice(0, at), token.slice(at + 1)];
}

/** "@<traceparent>" of the active span, to append to a routing token, or "" when nothing is traced. */
export function tracedSuffix(): string {
  const traceparent = currentTraceparent();
  return traceparent ? `@${traceparent}` : "";
}

/**
 * Records that this process received what another published inside trace `traceparent` (a room event, a chat
 * event, a match): a CONSUMER span child of the publisher's span. Nothing when the message carried no trace.
 */
export function recordDelivery(name: string, traceparent: string, attributes: Attributes): void {
  if (!traceparent) return;
  tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, remoteParent(traceparent)).end();
}

/** Runs `fn` in span `name` (child of the active one): ended when `fn` settles, marked as an error when it throws. */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, options.parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks `span` as failed with the error's class only: messages may quote what a user typed. */
export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
}

/**
 * One CONSUMER span per traced item of a batch, each a child of its own publisher's span (a batch mixes traces),
 * ended together by `end` (with the error that failed the batch, if any).
 */
export function batchSpans(name: string, traceparents: string[], attributes: Attributes): { end(error?: unknown): void } {
  const spans = traceparents.filter(Boolean).map((traceparent) => tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, remoteParent(traceparent)));
  return {
    end(error?: unknown) {
      for (const span of spans) {
        if (error !== undefined) failed(span, error);
        span.end();
      }
    },
  };
}

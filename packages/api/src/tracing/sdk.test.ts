// Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is traced: the OpenTelemetry API stays its no-op, so no span records,
// no trace context is written into Redis messages or node requests, and procedures run without a span.
import { trace } from "@opentelemetry/api";
import { expect, test, vi } from "vitest";
import { startTracing } from "./sdk.ts";
import { tracedCall } from "./procedureSpans.ts";
import { currentTraceparent, tracedSuffix, tracer } from "./traceContext.ts";

test("with OTEL_EXPORTER_OTLP_ENDPOINT unset, no SDK starts and nothing carries a trace", async () => {
  vi.stubEnv("DATABASE_URL", "postgresql://qualmeet:pw@db:5432/qualmeet");
  vi.stubEnv("REDIS_URL", "redis://cache:6379");
  vi.stubEnv("NEXTAUTH_SECRET", "s".repeat(43));
  vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "");
  const tracing = await startTracing({ name: "qualmeet-realtime", instanceId: "node-1" });
  tracer.startActiveSpan("an operation", (span) => {
    expect(span.isRecording()).toBe(false);
    expect(currentTraceparent()).toBe("");
    expect(tracedSuffix()).toBe("");
    span.end();
  });
  let active: unknown = "not run";
  await tracedCall({ path: "chat.send", type: "mutation" }, async () => {
    active = trace.getActiveSpan();
    return { ok: true };
  });
  expect(active).toBeUndefined();
  await tracing.stop();
});

// Starts OpenTelemetry tracing in this process when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing otherwise:
// the SDK is not even loaded, so the API stays its built-in no-op. Spans leave in batches from a bounded buffer on a
// timer, never on a call's path: a slow, hanging or closed collector delays no call, and what does not fit is dropped.
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { procedureSpansOn } from "./procedureSpans.ts";

export interface Tracing {
  /** sends what is buffered (within a few seconds), then stops */
  stop(): Promise<void>;
}

const notTracing: Tracing = { stop: async () => {} };

/** `service`: qualmeet-web or qualmeet-realtime (OTEL_SERVICE_NAME wins); `instanceId`: the node id. */
export async function startTracing(service: { name: string; instanceId: string }): Promise<Tracing> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return notTracing;
  const [api, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, { BatchSpanProcessor, TracerProvider }, { OTLPTraceExporter }] =
    await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/context-async-hooks"),
      import("@opentelemetry/core"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/exporter-trace-otlp-http"),
    ]);
  // a failed export is the collector's problem, said once in a while in our logs, never thrown at a call
  api.diag.setLogger(
    { error: (message) => logger.warn({ endpoint }, `tracing: ${message}`), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
    api.DiagLogLevel.ERROR,
  );
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, "")}/v1/traces`, timeoutMillis: 5000 });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? service.name, "service.instance.id": service.instanceId }),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 2048, scheduledDelayMillis: 500, exportTimeoutMillis: 5000 })],
  });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  procedureSpansOn();
  logger.info({ endpoint, service: env.OTEL_SERVICE_NAME ?? service.name }, "tracing: exporting spans over OTLP/HTTP");
  return {
    async stop() {
      await provider.shutdown().catch((err: unknown) => logger.warn({ err }, "tracing: the last spans could not be sent"));
    },
  };
}

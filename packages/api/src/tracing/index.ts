// What the servers need to trace (their entry points and transports), without loading the rest of the API.
export { startTracing, type Tracing } from "./sdk.ts";
export { requestTraceparent, withRemoteParent } from "./traceContext.ts";

// What the servers' entry points need to trace (apps/web/server.ts, apps/realtime/src/main.ts), without the rest of the API.
export { startTracing, type Tracing } from "./sdk.ts";

// Production server for the web app: Next's request handler behind a plain Node HTTP server, so that the
// client's address is decided here (Next keeps a client-sent X-Forwarded-For, which anyone can forge).
// Route handlers and next-auth read the one address this server puts in CLIENT_IP_HEADER (a copy sent by a
// client is replaced), and the request id it puts in X-Request-Id (on their log lines). Configuration: PORT, HOST,
// WEB_TRUSTED_PROXIES, ... (packages/config).
import { randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { exitOnInvalidEnv, loadServerEnv } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { CLIENT_IP_HEADER, clientIp } from "@qualmeet/api/client-ip";
import { METRICS_PATH, serveMetrics } from "@qualmeet/api/metrics";
import { startTracing } from "@qualmeet/api/tracing";

const env = exitOnInvalidEnv("web", loadServerEnv);
const nodeId = randomUUID();
logger.level = env.LOG_LEVEL;
logger.setBindings({ service: "web", nodeId });
// before Next loads: its own request spans and the tRPC spans then go to OTEL_EXPORTER_OTLP_ENDPOINT (when set)
const tracing = await startTracing({ name: "qualmeet-web", instanceId: nodeId });
// imported once the configuration is known to be good: its modules read it as they load
const { checkRedisAddress } = await import("@qualmeet/api");
// a Sentinel list nobody answers on, or a master name they do not know, stops the start here with its entries named
await exitOnInvalidEnv("web", () => checkRedisAddress(env.REDIS));

// the app's folder: this file runs compiled from apps/web/dist/ (npm run build) or as source from apps/web/
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.basename(here) === "dist" ? path.dirname(here) : here;
const app = next({ dev: false, dir, port: env.PORT, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  // the counters the app's procedures keep in this process (serviceMetrics), before Next sees the request
  if (req.method === "GET" && req.url?.split("?")[0] === METRICS_PATH) {
    serveMetrics(req, res).catch((err: unknown) => logger.error({ err }, "web: /metrics failed"));
    return;
  }
  const forwarded = req.headers["x-forwarded-for"];
  // replaces any copy the client sent: pages and next-auth believe this header
  req.headers[CLIENT_IP_HEADER] = clientIp(req.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(",") : forwarded, env.WEB_TRUSTED_PROXIES);
  const requestId = randomUUID();
  req.headers["x-request-id"] = requestId;
  handle(req, res).catch((err: unknown) => {
    logger.error({ err, requestId, url: req.url }, "web: request failed outside the app's own error handling");
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
// a port already taken ended the process with code 0 and no word (Next handles uncaught errors): say it and fail
server.once("error", (err) => {
  logger.fatal({ err, port: env.PORT, host: env.HOST }, `web: cannot listen on port ${env.PORT}`);
  process.exit(1);
});
server.listen(env.PORT, env.HOST, () => logger.info({ port: env.PORT }, `web: listening on http://localhost:${env.PORT}`));

const shutdown = () => {
  server.close(() => void tracing.stop().then(() => process.exit(0)));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

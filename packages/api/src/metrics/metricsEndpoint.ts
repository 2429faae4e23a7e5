// GET /metrics in Prometheus' text format, on the web app and on every realtime node. Who may read it: with
// METRICS_TOKEN set, whoever sends `Authorization: Bearer <token>` (compared in constant time); without it, only a
// request from this machine that came through no proxy (a proxy on the same machine would make any outsider look
// local, so a request naming a forwarded client is refused). The numbers show how many people use the service and
// when: nobody else reads them.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { serviceMetrics } from "./serviceMetrics.ts";

// the servers' transports count into the same registry without loading the routers (and their configuration)
export { serviceMetrics };

export const METRICS_PATH = "/metrics";

const digest = (text: string) => createHash("sha256").update(text).digest();
const PROXY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

const isLoopback = (address: string | undefined) => !!address && (address === "::1" || /^(::ffff:)?127\./.test(address));

/** 200 when the request may read the metrics, else the status that refuses it (401: token wanted, 403: not local). */
export function metricsAccess(req: Pick<IncomingMessage, "headers" | "socket">, token: string | undefined): 200 | 401 | 403 {
  if (token) {
    const offered = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    return offered && timingSafeEqual(digest(offered), digest(token)) ? 200 : 401;
  }
  const proxied = PROXY_HEADERS.some((name) => req.headers[name] !== undefined);
  return !proxied && isLoopback(req.socket.remoteAddress) ? 200 : 403;
}

const REFUSALS = {
  401: "The metrics need `Authorization: Bearer <METRICS_TOKEN>`.",
  403: "The metrics are served to this machine only (set METRICS_TOKEN to scrape them from elsewhere).",
};

/**
 * Answers a /metrics request with the process's counters and `registries` (a node's gauges). A registry whose
 * collection fails (its database query, say) is left out of this scrape and logged; the others are served.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, registries: Registry[] = []): Promise<void> {
  const access = metricsAccess(req, env.METRICS_TOKEN);
  if (access !== 200) {
    res.writeHead(access, { "content-type": "text/plain; charset=utf-8", ...(access === 401 ? { "www-authenticate": 'Bearer realm="metrics"' } : {}) });
    res.end(REFUSALS[access]);
    return;
  }
  const all = [serviceMetrics().registry, ...registries];
  const texts = await Promise.all(
    all.map((registry) =>
      registry.metrics().catch((err: unknown) => {
        logger.warn({ err, metrics: registry.getMetricsAsArray().map((m) => m.name) }, "metrics: a registry could not be collected; this scrape leaves it out");
        return "";
      }),
    ),
  );
  // a scraper that hung up meanwhile: nothing to answer, and nothing else is affected
  if (res.destroyed) return;
  res.writeHead(200, { "content-type": all[0]!.contentType, "cache-control": "no-store" });
  res.end(texts.filter(Boolean).join("\n"));
}

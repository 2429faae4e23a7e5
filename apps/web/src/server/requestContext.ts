// The tRPC context of an HTTP request, for every route that calls procedures (/api/trpc and the REST routes
// /api/v1): the session cookie or the `Authorization: Bearer qm_...` token, and the one client address
// apps/web/server.ts trusts (it puts it in CLIENT_IP_HEADER).
import { createContext, getRedis, type Context } from "@qualmeet/api";
import { CLIENT_IP_HEADER } from "@qualmeet/api/client-ip";
import { getDb } from "@qualmeet/db";

export function requestContext(req: Request): Promise<Context> {
  return createContext({
    transport: "http",
    db: getDb(),
    redis: getRedis(),
    cookie: req.headers.get("cookie"),
    authorization: req.headers.get("authorization"),
    ip: req.headers.get(CLIENT_IP_HEADER),
  });
}

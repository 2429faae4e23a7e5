import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, countProcedureError, logProcedureError } from "@qualmeet/api";
import { withRemoteParent } from "@qualmeet/api/tracing";
import { logger } from "@qualmeet/log";
import { crossSiteRefusal } from "@/server/crossSite";
import { requestContext } from "@/server/requestContext";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = (req: Request) => {
  const refusal = crossSiteRefusal(req);
  if (refusal) {
    logger.warn(
      { requestId: req.headers.get("x-request-id"), origin: req.headers.get("origin"), site: req.headers.get("sec-fetch-site"), status: refusal.status },
      "web: tRPC call refused (cross-site or not JSON)",
    );
    return Response.json({ error: { message: refusal.message, code: refusal.status === 403 ? "FORBIDDEN" : "UNSUPPORTED_MEDIA_TYPE" } }, { status: refusal.status });
  }
  // the caller's trace (W3C `traceparent` header), unless Next's own server span already took it from the same header
  return withRemoteParent(req.headers.get("traceparent"), () =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => requestContext(req),
      // apps/web/server.ts gives every request an id: the line names the request the user saw fail
      onError: (failure) => {
        countProcedureError("web", appRouter, failure);
        logProcedureError(logger, "web", failure, { requestId: req.headers.get("x-request-id") });
      },
    }),
  );
};

export { handler as GET, handler as POST };

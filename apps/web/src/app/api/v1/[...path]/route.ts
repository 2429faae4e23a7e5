// The REST routes of the OpenAPI document (/api/openapi.json): each calls its procedure as /api/trpc would, with the
// same context (cookie or API token), the same cross-site rule for every method that changes something, and the
// same logs and metrics for failures.
import { appRouter, countProcedureError, logProcedureError } from "@qualmeet/api";
import { createRestHandler } from "@qualmeet/api/openapi";
import { withRemoteParent } from "@qualmeet/api/tracing";
import { logger } from "@qualmeet/log";
import { crossSiteRefusal } from "@/server/crossSite";
import { requestContext } from "@/server/requestContext";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const rest = createRestHandler({
  router: appRouter,
  createContext: requestContext,
  onError: (failure) => {
    countProcedureError("web", appRouter, failure);
    logProcedureError(logger, "web", failure, { requestId: failure.req.headers.get("x-request-id") });
  },
});

const handler = (req: Request) => {
  const requestId = req.headers.get("x-request-id");
  const refusal = crossSiteRefusal(req, { bodyless: "allowed" });
  if (refusal) {
    logger.warn(
      { requestId, origin: req.headers.get("origin"), site: req.headers.get("sec-fetch-site"), status: refusal.status },
      "web: REST call refused (cross-site or not JSON)",
    );
    return Response.json({ error: { message: refusal.message, code: refusal.status === 403 ? "FORBIDDEN" : "UNSUPPORTED_MEDIA_TYPE" } }, { status: refusal.status });
  }
  return withRemoteParent(req.headers.get("traceparent"), () => rest(req));
};

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };

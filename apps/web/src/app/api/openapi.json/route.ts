// The OpenAPI 3.1 document of the REST routes (/api/v1), for code generators and API tools; people read it at /docs/api.
import { openApiDocumentText } from "@qualmeet/api/openapi";

export const runtime = "nodejs";
// built on the first request, not at build time (the routers read the configuration as they load)
export const dynamic = "force-dynamic";

export function GET(): Response {
  return new Response(openApiDocumentText(), { headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300" } });
}

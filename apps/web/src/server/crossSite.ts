// tRPC calls and REST calls (/api/v1) over HTTP run only when they come from our own pages or from a program: a page on another site
// (a form posted there, or its fetch) is refused before anything runs, so a signed-in visitor's cookie cannot
// be used to change anything from elsewhere. Browsers say where a request comes from (Sec-Fetch-Site, Origin);
// programs (the typed client, tests) send neither and must send JSON like our pages do.

export interface Refusal {
  status: number;
  message: string;
}

const OTHER_SITE = "Changes are accepted only from QualMeet's own pages.";

/**
 * Why this request (tRPC or REST) is refused, or null when it may run. Reading (GET, HEAD) changes nothing and always
 * may; every other method must come from our own pages or a program, with a JSON body. `bodyless: "allowed"` (the
 * REST routes): a request with no body and no Content-Type may run too (POST /api/v1/meetings/{code}/end takes its
 * input from the path, and OpenAPI clients send no type without a body); a form always sends a type, and a
 * browser always says where a request without one comes from.
 */
export function crossSiteRefusal(req: Request, { bodyless }: { bodyless?: "allowed" } = {}): Refusal | null {
  if (req.method === "GET" || req.method === "HEAD") return null;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return { status: 403, message: OTHER_SITE };
  const origin = req.headers.get("origin");
  // behind a proxy the scheme may differ (https outside, http here): the host is what must match
  if (origin !== null && hostOf(origin) !== req.headers.get("host")) return { status: 403, message: OTHER_SITE };
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === undefined && bodyless === "allowed" && !hasBody(req)) return null;
  if (type !== "application/json") return { status: 415, message: "Send the request as JSON (Content-Type: application/json)." };
  return null;
}

const hasBody = (req: Request): boolean => Number(req.headers.get("content-length") ?? 0) > 0 || req.headers.has("transfer-encoding");

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

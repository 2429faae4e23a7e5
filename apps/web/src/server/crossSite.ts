// tRPC calls over HTTP run only when they come from our own pages or from a program: a page on another site
// (a form posted there, or its fetch) is refused before anything runs, so a signed-in visitor's cookie cannot
// be used to change anything from elsewhere. Browsers say where a request comes from (Sec-Fetch-Site, Origin);
// programs (the typed client, tests) send neither and must send JSON like our pages do.

export interface Refusal {
  status: number;
  message: string;
}

const OTHER_SITE = "Changes are accepted only from QualMeet's own pages.";

/** Why this tRPC request is refused, or null when it may run. Queries (GET) change nothing and always may. */
export function crossSiteRefusal(req: Request): Refusal | null {
  if (req.method !== "POST") return null;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return { status: 403, message: OTHER_SITE };
  const origin = req.headers.get("origin");
  // behind a proxy the scheme may differ (https outside, http here): the host is what must match
  if (origin !== null && hostOf(origin) !== req.headers.get("host")) return { status: 403, message: OTHER_SITE };
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") return { status: 415, message: "Send the request as JSON (Content-Type: application/json)." };
  return null;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

// Runs before every page and API answer (not Next's static files, which get next.config.ts' headers only):
// - a Content-Security-Policy with a fresh nonce; Next.js reads it from the request headers and puts the nonce on
//   its own scripts, so no inline script without it runs;
// - Strict-Transport-Security when the public URL is https;
// - signed-out visitors of /admin go to the sign-in page first. This only looks at the session cookie's signature;
//   the real check (token version, administrator role) happens in the page on the server.
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { env } from "@qualmeet/config";
import { STRICT_TRANSPORT_SECURITY, contentSecurityPolicy, newNonce } from "@/server/securityHeaders";

const adminGate = withAuth({ pages: { signIn: "/login" } });
const isAdminPath = (pathname: string) => pathname === "/admin" || pathname.startsWith("/admin/");

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  const nonce = newNonce();
  const https = env.NEXTAUTH_URL.startsWith("https://");
  const policy = contentSecurityPolicy({ nonce, realtimeUrl: env.REALTIME_PUBLIC_URL, https, development: process.env.NODE_ENV === "development" });
  // Next.js finds the nonce in the request's policy (a copy a client sent is replaced)
  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("content-security-policy", policy);

  const redirect = isAdminPath(req.nextUrl.pathname) ? await adminGate(req as NextRequestWithAuth, event) : undefined;
  const res = redirect ?? NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", policy);
  if (https) res.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return res;
}

export const config = {
  // every page and API answer; Next's build output and the icon are files that run nothing
  matcher: ["/((?!_next/static|_next/image|icon.svg|favicon.ico).*)"],
};

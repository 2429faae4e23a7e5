// Signed-out visitors of /admin go to the sign-in page first. This only looks at the session cookie's
// signature; the real check (token version, administrator role) happens in the page on the server.
import { withAuth } from "next-auth/middleware";

export default withAuth({ pages: { signIn: "/login" } });

export const config = { matcher: ["/admin", "/admin/:path*"] };

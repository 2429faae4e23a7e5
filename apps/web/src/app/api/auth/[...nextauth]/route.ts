import NextAuth from "next-auth";
import { authOptions } from "@qualmeet/api/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };

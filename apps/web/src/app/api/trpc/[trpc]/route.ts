import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, getRedis, readSession, type Context } from "@qualmeet/api";
import { getDb } from "@qualmeet/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async (): Promise<Context> => ({
      db: getDb(),
      redis: getRedis(),
      session: await readSession(req.headers.get("cookie")),
      // apps/web/server.ts replaces X-Forwarded-For with the one client address it trusts
      ip: req.headers.get("x-forwarded-for") ?? "unknown",
      transport: "http",
    }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });

export { handler as GET, handler as POST };

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, getRedis, readSession, type Context } from "@qualmeet/api";
import { getDb } from "@qualmeet/db";
import { logger } from "@qualmeet/log";

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
    onError({ error, path, type }) {
      // apps/web/server.ts gives every request an id: the line names the request the user saw fail
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, requestId: req.headers.get("x-request-id"), path, type }, `web: ${path ?? "request"} failed`);
    },
  });

export { handler as GET, handler as POST };

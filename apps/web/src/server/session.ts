// Who is signed in, for server components and route handlers. The cookie alone is not enough: the user's
// token version is checked in the database, so "sign out everywhere" and bans take effect at once.
import { headers } from "next/headers";
import { cache } from "react";
import { appRouter, createCallerFactory, getRedis, loadSessionUser, readSession, type Context, type SessionUser } from "@qualmeet/api";
import { getDb } from "@qualmeet/db";

/** The tRPC context of the current request (same shape as /api/trpc builds). */
export const requestContext = cache(async (): Promise<Context> => {
  const h = await headers();
  return {
    db: getDb(),
    redis: getRedis(),
    session: await readSession(h.get("cookie")),
    ip: h.get("x-forwarded-for") ?? "unknown",
    transport: "http",
  };
});

/** The signed-in user or guest of the current request, or null. Deduplicated per request. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const ctx = await requestContext();
  if (!ctx.session) return null;
  return loadSessionUser(ctx);
});

const createCaller = createCallerFactory(appRouter);

/** Server-side tRPC caller with the current request's context (same middlewares as over HTTP). */
export async function serverCaller() {
  return createCaller(await requestContext());
}

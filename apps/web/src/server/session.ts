// Who is signed in, for server components and route handlers. The cookie alone is not enough: the user's
// token version is checked in the database, so "sign out everywhere" and bans take effect at once.
import { headers } from "next/headers";
import { cache } from "react";
import { appRouter, createCallerFactory, createContext, getRedis, loadSessionUser, type Context, type SessionUser } from "@qualmeet/api";
import { CLIENT_IP_HEADER } from "@qualmeet/api/client-ip";
import { getDb } from "@qualmeet/db";

/** The tRPC context of the current request (as /api/trpc makes it). */
export const requestContext = cache(async (): Promise<Context> => {
  const h = await headers();
  return createContext({ transport: "http", db: getDb(), redis: getRedis(), cookie: h.get("cookie"), ip: h.get(CLIENT_IP_HEADER) });
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

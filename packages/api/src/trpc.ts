// tRPC context and procedure builders shared by the web app (HTTP) and the realtime server (WebSocket).
import { initTRPC, TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import superjson from "superjson";
import { ZodError } from "zod";
import type { PrismaClient, User } from "@qualmeet/db";
import { serverEnv } from "./env.ts";
import { FieldError, serviceUnavailable, unavailableService } from "./errors.ts";
import { consumeToken, retryMessage, type RateLimitRule } from "./services/rateLimit.ts";
import type { SessionClaims } from "./services/session.ts";
import type { RealtimeServices } from "./services/realtime.ts";

export interface Context {
  db: PrismaClient;
  redis: Redis;
  /** what the session cookie says; verified against the database by the auth middlewares */
  session: SessionClaims | null;
  ip: string;
  transport: "http" | "ws";
  /** present on the realtime server only */
  realtime?: RealtimeServices;
  /**
   * The user verified when this socket opened. The realtime server closes a socket as soon as its user's
   * sessions are revoked (and re-checks open sockets every minute), so calls on it skip the database lookup.
   */
  socketUser?: SessionUser | null;
}

export type SessionUser = Pick<User, "id" | "name" | "email" | "role" | "isGuest" | "tokenVersion">;

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const field = error.cause instanceof FieldError ? error.cause.field : zod ? String(zod.issues[0]?.path.join(".") ?? "") : null;
    return {
      ...shape,
      // Name the field in the message itself: clients that only show `message` still say what is wrong.
      message: zod ? zod.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ") : shape.message,
      data: {
        ...shape.data,
        field,
        fieldErrors: zod ? Object.fromEntries(zod.issues.map((i) => [i.path.join("."), i.message])) : null,
        retryAfterMs: error.cause instanceof RetryAfter ? error.cause.retryAfterMs : null,
        stack: undefined,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;

class RetryAfter extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("rate limited");
    this.retryAfterMs = retryAfterMs;
  }
}

export function tooManyRequests(what: string, retryAfterMs: number): TRPCError {
  return new TRPCError({ code: "TOO_MANY_REQUESTS", message: retryMessage(what, retryAfterMs), cause: new RetryAfter(retryAfterMs) });
}

export const rateLimit = (rule: RateLimitRule, key: (ctx: Context) => string, what: string) =>
  t.middleware(async ({ ctx, next }) => {
    const verdict = await consumeToken(ctx.redis, rule, key(ctx));
    if (!verdict.allowed) throw tooManyRequests(what, verdict.retryAfterMs);
    return next();
  });

/**
 * The base of every procedure, on both transports (one middleware: each one costs every call a copy of the
 * context): one per-IP ceiling, and "database/Redis unreachable" turned into SERVICE_UNAVAILABLE with a clear
 * message.
 */
let ipRule: RateLimitRule | null = null;
const baseline = t.middleware(async ({ ctx, next }) => {
  // the environment is read once (reading process.env costs every call)
  ipRule ??= { scope: "ip", capacity: serverEnv.rateLimits.globalPerMinute, windowMs: 60_000 };
  const verdict = await consumeToken(ctx.redis, ipRule, ctx.ip).catch((error: unknown) => {
    const service = unavailableService(error);
    throw service ? serviceUnavailable(service, error) : error;
  });
  if (!verdict.allowed) throw tooManyRequests("requests from your network", verdict.retryAfterMs);
  const result = await next();
  if (!result.ok) {
    const service = unavailableService(result.error.cause ?? result.error);
    if (service && result.error.code === "INTERNAL_SERVER_ERROR") throw serviceUnavailable(service, result.error);
  }
  return result;
});

export const publicProcedure = t.procedure.use(baseline);

/** Loads the session's user fresh from the database on every call, so revocation takes effect at once. */
export async function loadSessionUser(ctx: Pick<Context, "db" | "session">): Promise<SessionUser | null> {
  if (!ctx.session) return null;
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.session.userId },
    select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true },
  });
  return user && user.tokenVersion === ctx.session.tokenVersion ? user : null;
}

export const guestOrUserProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "You are not signed in. Sign in or join as a guest first." });
  const user = ctx.socketUser ?? (await loadSessionUser(ctx));
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended. Please sign in again." });
  return next({ ctx: { user } });
});

export const protectedProcedure = guestOrUserProcedure.use(({ ctx, next }) => {
  if (ctx.user.isGuest) throw new TRPCError({ code: "FORBIDDEN", message: "This needs an account: guests cannot do this. Create an account or sign in." });
  return next({ ctx: { user: ctx.user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
  return next();
});

/** Procedures that exist on the realtime server only (they need its presence registry and bus). */
export const realtimeServices = (ctx: Context): RealtimeServices => {
  if (!ctx.realtime) throw new TRPCError({ code: "NOT_IMPLEMENTED", message: "This procedure is served by the realtime server only." });
  return ctx.realtime;
};

// tRPC context and procedure builders shared by the web app (HTTP) and the realtime server (WebSocket).
import { initTRPC, TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import superjson from "superjson";
import { ZodError } from "zod";
import type { PrismaClient, User } from "@qualmeet/db";
import { env, type ServerEnv } from "@qualmeet/config";
import { FieldError, errorIdOf, isUnexpected, serviceUnavailable, unavailableService, unexpectedFailureMessage } from "./errors.ts";
import { addressBlock } from "./services/clientIp.ts";
import { consumeToken, retryMessage, scaled, type RateLimitRule } from "./services/rateLimit.ts";
import type { SessionClaims } from "./services/session.ts";
import { rememberSessionUser, rememberedSessionUser } from "./services/sessionCache.ts";
import type { RealtimeServices } from "./services/realtime.ts";
import { logger } from "@qualmeet/log";
import { tracedCall } from "./tracing/procedureSpans.ts";
import type { ApiTokenScope } from "./apiTokens/scopes.ts";
import { verifyApiToken, type VerifiedApiToken } from "./apiTokens/tokens.ts";

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
  /**
   * The SHA-256 of the personal access token the call presents (`Authorization: Bearer qm_...`), verified on every
   * call by the auth middlewares; such a call reaches only procedures mapped to one of the token's scopes.
   */
  apiTokenHash?: string | null;
}

export type SessionUser = Pick<User, "id" | "name" | "email" | "role" | "isGuest" | "tokenVersion">;

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const { message, ...details } = describeError(error);
      return { ...shape, message, data: { ...shape.data, ...details, stack: undefined } };
    },
  });

/** What a client is told of a failed call, over tRPC (the error's `message` and `data`) and REST (packages/api/src/openapi) alike. */
export interface ErrorDescription {
  message: string;
  /** the id an unexpected failure is logged with; null for a refusal worded for people */
  errorId: string | null;
  /** the input field at fault, when one is */
  field: string | null;
  fieldErrors: Record<string, string> | null;
  retryAfterMs: number | null;
}

export function describeError(error: TRPCError): ErrorDescription {
  const zod = error.cause instanceof ZodError ? error.cause : null;
  const field = error.cause instanceof FieldError ? error.cause.field : zod ? String(zod.issues[0]?.path.join(".") ?? "") : null;
  // An unexpected failure (thrown by a library, not by our code with a message for people) says nothing of
  // its internals to the client: a sentence and an id, which the adapter's onError logs with the detail.
  const errorId = isUnexpected(error) ? errorIdOf(error) : null;
  return {
    // Name the field in the message itself: clients that only show `message` still say what is wrong.
    message: zod ? zod.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ") : errorId ? unexpectedFailureMessage(errorId) : error.message,
    errorId,
    field,
    fieldErrors: zod ? Object.fromEntries(zod.issues.map((i) => [i.path.join("."), i.message])) : null,
    retryAfterMs: error.cause instanceof RetryAfter ? error.cause.retryAfterMs : null,
  };
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

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

/** The least kind of caller a procedure serves: "guest or user" means any session, "user" an account. */
export type CallerKind = "anyone" | "guest or user" | "user" | "admin";
/** What the caller must be to the object named in the input (checked by the handler, not the builder). */
export type Relation = "meeting participant" | "meeting host" | "conversation member" | "group admin" | "message sender" | "call party" | "invitee";
/** Who may call a procedure, on what. The authorization matrix test calls every procedure as every kind of caller against this. */
export interface AccessRule {
  caller: CallerKind;
  on?: Relation;
}

/** What a procedure declares with `.meta()`, read by the middleware every procedure starts with. */
export interface ProcedureMeta {
  /** who may call it: every procedure declares one (the authorization matrix test fails on a procedure without) */
  access?: AccessRule;
  /** a token bucket per user (per IP when signed out; always per IP with `per: "ip"`), checked before the call */
  rateLimit?: RateLimitRule & { what: string; per?: "ip"; setting?: RateLimitSetting };
  /** limits the handler checks itself, where only it knows whether a call counts: shown in docs/api.md, enforced by the handler */
  handlerLimits?: HandlerLimit[];
  /** the personal access token scope that lets a token call it ("any": every valid token); without one, tokens cannot call it (FORBIDDEN) */
  tokenScope?: ApiTokenScope | "any";
  /** its REST route under /api/v1 (the OpenAPI document, packages/api/src/openapi): set with `.meta(rest(...))` */
  openapi?: RestRoute;
}

/** A procedure's REST route: the shape trpc-to-openapi reads from `meta.openapi` to write the OpenAPI document. */
export interface RestRoute {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** under /api/v1, with `{name}` for an input field taken from the path: "/meetings/{code}" */
  path: `/${string}`;
  summary: string;
  description?: string;
  tags: string[];
}

/** `.meta(rest({ method: "GET", path: "/meetings/{code}", summary, tags }))`: the procedure is also served as REST (needs `.output()`). */
export const rest = (route: RestRoute): ProcedureMeta => ({ openapi: route });

/** `.meta(tokenScope("chat:send"))`: a token with this scope may call the procedure as its user ("any": any valid token). */
export const tokenScope = (scope: ApiTokenScope | "any"): ProcedureMeta => ({ tokenScope: scope });

/** Calls per token per minute, on top of the procedure's own limits. */
export const API_TOKEN_CALLS_PER_MIN = 600;
/** Failed token authentications per address block per ten minutes before that block's token calls are refused. */
export const API_TOKEN_FAILURES_PER_10_MIN = 20;

/** A token bucket a handler takes from (the handler's own rule object, so the docs cannot show another number). */
export interface HandlerLimit {
  rule: RateLimitRule;
  /** whose bucket: "user", "address block", "device" */
  per: string;
  /** what it counts, as the refusal names it ("knocks that wait for the host"): not always every call */
  what: string;
}

/** `.meta(handlerLimits(...))`: documents the buckets the handler itself checks (docs/api.md). */
export const handlerLimits = (...limits: HandlerLimit[]): ProcedureMeta => ({ handlerLimits: limits });

/** `.meta(rateLimit(rule, "messages"))`: at most `rule.capacity` calls per `rule.windowMs`. */
export const rateLimit = (rule: RateLimitRule, what: string, per?: "ip"): ProcedureMeta => ({ rateLimit: { ...rule, what, per } });

/** The settings that size a procedure's own limit: docs/api.md names the one a limit reads. */
export type RateLimitSetting = Exclude<Extract<keyof ServerEnv, `RATE_LIMIT_${string}`>, "RATE_LIMIT_SCALE">;

/** `.meta(configuredRateLimit("RATE_LIMIT_CHAT_PER_10S", { scope, windowMs }, "messages"))`: a limit whose count is a setting. */
export const configuredRateLimit = (setting: RateLimitSetting, rule: Omit<RateLimitRule, "capacity">, what: string, per?: "ip"): ProcedureMeta => ({
  rateLimit: { ...rule, capacity: env[setting], what, per, setting },
});

/** `.meta(access("guest or user", "meeting host"))`: who may call the procedure, on what. */
export const access = (caller: CallerKind, on?: Relation): ProcedureMeta => ({ access: on ? { caller, on } : { caller } });

// built on the first call: importing this module needs no configuration
let ipRule: RateLimitRule | null = null;

/** "Database/Redis unreachable" as SERVICE_UNAVAILABLE with a clear message; anything else as it is. */
function asServiceError(error: unknown): unknown {
  const service = unavailableService(error);
  return service ? serviceUnavailable(service, error) : error;
}

/** A call that failed because the database or Redis is unreachable fails as SERVICE_UNAVAILABLE. */
function failedService<R extends { ok: boolean }>(result: R): R {
  if (result.ok) return result;
  const { error } = result as unknown as { error: TRPCError };
  const service = unavailableService(error.cause ?? error);
  if (service && error.code === "INTERNAL_SERVER_ERROR") throw serviceUnavailable(service, error);
  return result;
}

/** The per-IP ceiling of every call and the procedure's own limit, asked of Redis together. */
async function checkRateLimits(ctx: Context, meta: ProcedureMeta | undefined, userId = ctx.session?.userId): Promise<void> {
  ipRule ??= { scope: "ip", capacity: env.RATE_LIMIT_GLOBAL_PER_MIN, windowMs: 60_000 };
  const own = meta?.rateLimit;
  // an IPv6 client holds a whole /64: its addresses share one bucket
  const block = addressBlock(ctx.ip);
  const [ip, limited] = await Promise.all([
    consumeToken(ctx.redis, ipRule, block),
    own ? consumeToken(ctx.redis, scaled(own), own.per === "ip" ? block : (userId ?? block)) : null,
  ]);
  if (!ip.allowed) throw tooManyRequests("requests from your network", ip.retryAfterMs);
  if (limited && !limited.allowed) throw tooManyRequests(own!.what, limited.retryAfterMs);
}

/**
 * Loads the session's user fresh from the database on every call, so revocation takes effect at once. While
 * the database is unreachable, the token version it confirmed within the last SESSION_CACHE_MS (Redis) is
 * trusted instead, so open pages keep working through a restart.
 */
export async function loadSessionUser(ctx: Pick<Context, "db" | "redis" | "session">): Promise<SessionUser | null> {
  if (!ctx.session) return null;
  const { userId, tokenVersion } = ctx.session;
  let user: SessionUser | null;
  try {
    user = await ctx.db.user.findUnique({
      where: { id: userId },
      select: { id: true, name: true, email: true, role: true, isGuest: true, tokenVersion: true },
    });
  } catch (error) {
    if (unavailableService(error) !== "database") throw error;
    const remembered = await rememberedSessionUser(ctx.redis, userId);
    if (!remembered) throw error;
    return remembered.tokenVersion === tokenVersion ? remembered : null;
  }
  if (user) {
    await rememberSessionUser(ctx.redis, user).catch((error: unknown) => {
      // the session is valid; only the outage fallback for it is not refreshed
      logger.warn({ err: error, userId }, "session cache: could not remember the user (the outage fallback keeps its older entry)");
    });
  }
  return user && user.tokenVersion === tokenVersion ? user : null;
}

// Each procedure kind starts with one middleware doing all its checks (inside the call's trace span): tRPC copies the call's options and
// context at every middleware, and the realtime server's busiest calls (a chat line, a P2P signal) pay that.

/** Rate limits, then the call; infrastructure failures come out as SERVICE_UNAVAILABLE. */
export const publicProcedure = t.procedure.use(({ ctx, meta, next, path, type }) =>
  tracedCall({ path, type }, async () => {
    await checkRateLimits(ctx, meta).catch((error: unknown) => {
      throw asServiceError(error);
    });
    return failedService(await next());
  }),
);

/**
 * A call with a personal access token: the token is re-read (revoked or expired: UNAUTHORIZED), the procedure must
 * be mapped to one of its scopes (else FORBIDDEN naming the scope), then the token's and the procedure's limits.
 * Failures are counted per address block like failed sign-ins and audited.
 */
async function tokenCaller(ctx: Context, tokenHash: string, meta: ProcedureMeta | undefined, path: string): Promise<{ user: SessionUser; apiToken: VerifiedApiToken }> {
  const block = addressBlock(ctx.ip);
  const failures = { scope: "apitoken:fail", capacity: API_TOKEN_FAILURES_PER_10_MIN, windowMs: 10 * 60_000 };
  const verified = await verifyApiToken(ctx, tokenHash);
  if (!verified) {
    // counted first: a flood of bad tokens is refused without filling the audit log
    const verdict = await consumeToken(ctx.redis, failures, block);
    if (!verdict.allowed) throw tooManyRequests("failed token sign-ins from your network", verdict.retryAfterMs);
    await ctx.db.auditLog.create({ data: { action: "apiToken.authFailed", targetType: "apiToken", ip: ctx.ip, data: { path } } });
    throw new TRPCError({ code: "UNAUTHORIZED", message: "This API token is not valid: it was revoked, has expired or never existed." });
  }
  const needed = meta?.tokenScope;
  if (!needed) throw new TRPCError({ code: "FORBIDDEN", message: `API tokens cannot call ${path}: sign in to do this.` });
  if (needed !== "any" && !verified.token.scopes.includes(needed))
    throw new TRPCError({ code: "FORBIDDEN", message: `This API token lacks the scope "${needed}" that ${path} needs.` });
  const perToken = await consumeToken(ctx.redis, scaled({ scope: "apitoken:calls", capacity: API_TOKEN_CALLS_PER_MIN, windowMs: 60_000 }), verified.token.id);
  if (!perToken.allowed) throw tooManyRequests("calls with this API token", perToken.retryAfterMs);
  await checkRateLimits(ctx, meta, verified.user.id);
  return { user: verified.user, apiToken: verified.token };
}

/** A signed-in user or a guest (`ctx.user`), then as publicProcedure. */
export const guestOrUserProcedure = t.procedure.use(({ ctx, meta, next, path, type }) =>
  tracedCall({ path, type }, async () => {
    if (ctx.apiTokenHash) {
      const caller = await tokenCaller(ctx, ctx.apiTokenHash, meta, path).catch((error: unknown) => {
        throw asServiceError(error);
      });
      return failedService(await next({ ctx: caller }));
    }
    if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "You are not signed in. Sign in or join as a guest first." });
    const [user] = await Promise.all([ctx.socketUser ?? loadSessionUser(ctx), checkRateLimits(ctx, meta)]).catch((error: unknown) => {
      throw asServiceError(error);
    });
    if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended. Please sign in again." });
    return failedService(await next({ ctx: { user, apiToken: null as VerifiedApiToken | null } }));
  }),
);

export const protectedProcedure = guestOrUserProcedure.use(({ ctx, next }) => {
  if (ctx.user.isGuest) throw new TRPCError({ code: "FORBIDDEN", message: "This needs an account: guests cannot do this. Create an account or sign in." });
  return next({ ctx: { user: ctx.user } });
});

export const adminProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  // a socket's user is the one verified when it opened: an admin call on it asks the database, so a role given or
  // taken away since counts at once
  const user =
    ctx.transport === "ws"
      ? await loadSessionUser(ctx).catch((error: unknown) => {
          throw asServiceError(error);
        })
      : ctx.user;
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended. Please sign in again." });
  if (user.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
  return next({ ctx: { user } });
});

/** Procedures that exist on the realtime server only (they need its presence registry and bus). */
export const realtimeServices = (ctx: Context): RealtimeServices => {
  if (!ctx.realtime) throw new TRPCError({ code: "NOT_IMPLEMENTED", message: "This procedure is served by the realtime server only." });
  return ctx.realtime;
};

import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter, RealtimeRouter } from "./root.ts";

export { appRouter, realtimeRouter } from "./root.ts";
export type { AppRouter, RealtimeRouter } from "./root.ts";
export { createCallerFactory, loadSessionUser, type Context, type SessionUser } from "./trpc.ts";
export { serverEnv, SESSION_MAX_AGE_S } from "./env.ts";
export { readSession, parseCookieHeader, sessionCookieName, type SessionClaims } from "./services/session.ts";
export { clientIp } from "./services/clientIp.ts";
export { createRedis, getRedis, isRedisUp } from "./services/redis.ts";
export { Bus } from "./services/bus.ts";
export { PresenceRegistry, HEARTBEAT_MS, PRESENCE_TTL_S, type OnlineUser } from "./services/presence.ts";
export { SESSION_REVOKED_CHANNEL, type RealtimeServices, type SessionRevokedEvent } from "./services/realtime.ts";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RealtimeRouterInputs = inferRouterInputs<RealtimeRouter>;
export type RealtimeRouterOutputs = inferRouterOutputs<RealtimeRouter>;

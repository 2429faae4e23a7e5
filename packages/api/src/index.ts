import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.ts";
import type { RealtimeRouter } from "./realtimeRoot.ts";

// The web app's entry: nothing here loads mediasoup. The realtime server imports "@qualmeet/api/realtime".
export { appRouter } from "./root.ts";
export type { AppRouter } from "./root.ts";
export type { RealtimeRouter } from "./realtimeRoot.ts";
export { createCallerFactory, loadSessionUser, type Context, type SessionUser } from "./trpc.ts";
export { createContext, identifySocket, type SocketIdentity } from "./context.ts";
export { SESSION_MAX_AGE_S } from "./env.ts";
export { readSession, parseCookieHeader, sessionCookieName, type SessionClaims } from "./services/session.ts";
export { clientIp } from "./services/clientIp.ts";
export { logProcedureError } from "./errors.ts";
export { countProcedureError } from "./metrics/procedureErrors.ts";
export { auditCsvExport } from "./admin/auditExport.ts";
export { auditFilterSchema, type AuditFilter } from "./router/admin/audit.schema.ts";
export { mayReadHealthDetails } from "./services/healthDetails.ts";
export { checkRedisAddress, createRedis, getRedis, isRedisUp } from "./services/redis.ts";
export type { OnlineUser } from "./services/presence.ts";
export type { MeetingEvent, PeerInfo, ProducerInfo, MediaSource } from "./meeting/events.ts";
export type { HostLobbyView, KnockState } from "./meeting/lobby.ts";
export type {
  BlockedUser,
  CallEndStatus,
  CallEntry,
  CallInfo,
  CallKind,
  CallStatus,
  ChatEvent,
  ChatHistoryPage,
  ChatMessage,
  ChatUser,
  ConversationInvitation,
  ConversationKind,
  ConversationMemberInfo,
  ConversationSummary,
  MemberRole,
} from "./chat/types.ts";
export type { DashboardNode, DashboardSnapshot } from "./metrics/dashboard.ts";
export { SESSION_REVOKED_CHANNEL, type SessionRevokedEvent } from "./services/realtime.ts";
export { API_TOKEN_REVOKED_CHANNEL, type ApiTokenRevokedEvent } from "./apiTokens/tokens.ts";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RealtimeRouterInputs = inferRouterInputs<RealtimeRouter>;
export type RealtimeRouterOutputs = inferRouterOutputs<RealtimeRouter>;

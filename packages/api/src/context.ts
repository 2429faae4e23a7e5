// The one way a tRPC context is made: for the web app's HTTP requests and server components (from the request's
// Cookie header and client address) and for the realtime server's WebSocket calls (from what the socket's
// upgrade established).
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import type { RealtimeServices } from "./services/realtime.ts";
import { readSession, type SessionClaims } from "./services/session.ts";
import { loadSessionUser, type Context, type SessionUser } from "./trpc.ts";
import { bearerTokenHash, verifyApiToken, type VerifiedApiToken } from "./apiTokens/tokens.ts";

interface Backends {
  db: PrismaClient;
  redis: Redis;
}

/** An HTTP request (route handler or server component): the session is read from its cookie. */
export interface HttpRequestSource extends Backends {
  transport: "http";
  cookie: string | null | undefined;
  /** the Authorization header: `Bearer qm_...` authenticates with a personal access token instead of the cookie */
  authorization?: string | null | undefined;
  /** the client address the web server trusts (apps/web/server.ts rewrites X-Forwarded-For to it) */
  ip: string | null | undefined;
}

/** A realtime socket as its upgrade established it. */
export interface SocketIdentity {
  id: string;
  session: SessionClaims | null;
  user: SessionUser | null;
  ip: string;
  /** a socket opened with a personal access token: its hash (re-verified on every call) and the token as verified then */
  apiToken?: { hash: string; token: VerifiedApiToken } | null;
}

/** A call on a realtime socket: the session and user were verified once, when the socket opened. */
export interface SocketCallSource extends Backends {
  transport: "ws";
  socket: SocketIdentity;
  services: Omit<RealtimeServices, "connectionId">;
}

export function createContext(source: HttpRequestSource): Promise<Context>;
export function createContext(source: SocketCallSource): Context;
export function createContext(source: HttpRequestSource | SocketCallSource): Context | Promise<Context> {
  const { db, redis } = source;
  if (source.transport === "ws") {
    const { socket } = source;
    // built for every call on the socket: no await, nothing read
    return {
      db,
      redis,
      session: socket.session,
      socketUser: socket.user,
      apiTokenHash: socket.apiToken?.hash ?? null,
      ip: socket.ip,
      transport: "ws",
      realtime: { ...source.services, connectionId: socket.id },
    };
  }
  const apiTokenHash = bearerTokenHash(source.authorization);
  // a token call is the token's user's, never the cookie's
  if (apiTokenHash) return Promise.resolve({ db, redis, session: null, apiTokenHash, ip: source.ip ?? "unknown", transport: "http" });
  return readSession(source.cookie).then((session) => ({ db, redis, session, ip: source.ip ?? "unknown", transport: "http" }));
}

/**
 * Who opens a realtime socket: the cookie's session and its user, verified in the database. An unknown, revoked
 * or tampered session connects as anonymous (protected calls answer UNAUTHORIZED). With `Authorization: Bearer
 * qm_...` (a bot's upgrade request) the token's user instead; an invalid token is null (the upgrade is refused).
 */
export async function identifySocket(
  { db, redis }: Backends,
  cookie: string | undefined,
  authorization?: string,
): Promise<Pick<SocketIdentity, "session" | "user" | "apiToken"> | null> {
  const hash = bearerTokenHash(authorization);
  if (hash) {
    const verified = await verifyApiToken({ db, redis }, hash);
    return verified ? { session: null, user: verified.user, apiToken: { hash, token: verified.token } } : null;
  }
  const session = await readSession(cookie);
  const user = session ? await loadSessionUser({ db, redis, session }) : null;
  return { session: user ? session : null, user };
}

// next-auth configuration (credentials + guest providers, JWT sessions). The web app serves it at
// /api/auth/*; the realtime server reads the same cookie with services/session.ts.
import type { NextAuthOptions, User as NextAuthUser } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@qualmeet/db";
import { env } from "@qualmeet/config";
import { SESSION_MAX_AGE_S, useSecureCookies } from "./env.ts";
import { decoyPasswordHash, verifyPassword } from "./services/password.ts";
import { consumeToken, retryMessage } from "./services/rateLimit.ts";
import { getRedis } from "./services/redis.ts";
import { displayName } from "./schemas.ts";
import { errorIdOf, unavailableService, unexpectedFailureMessage } from "./errors.ts";
import { logger } from "@qualmeet/log";

interface SessionUserClaims extends NextAuthUser {
  role: "USER" | "ADMIN";
  isGuest: boolean;
  tokenVersion: number;
}

const WRONG_CREDENTIALS = "Wrong email or password.";
const signInSchema = z.object({ email: z.string().trim().toLowerCase().min(1).max(254), password: z.string().min(1).max(200) });

// Our web server (apps/web/server.ts) replaces X-Forwarded-For with the one client address it trusts.
const requestIp = (headers: Record<string, unknown> | undefined): string => String(headers?.["x-forwarded-for"] ?? "unknown");

/** A refusal worded for the person signing in; any other error is a failure of ours and reaches them as an id. */
class SignInRefused extends Error {}

async function limit(scope: string, key: string, capacity: number, windowMs: number, what: string): Promise<void> {
  const verdict = await consumeToken(getRedis(), { scope, capacity, windowMs }, key);
  if (!verdict.allowed) throw new SignInRefused(retryMessage(what, verdict.retryAfterMs));
}

/** Errors thrown here reach the client as `error` of signIn(); say what happened, never which part was wrong. */
async function clearErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SignInRefused) throw error;
    const service = unavailableService(error);
    if (service) throw new Error(`Signing in is unavailable right now (${service === "redis" ? "Redis" : "the database"} is down). Please try again in a moment.`);
    // the error's own text (a query, a table, a host) stays in the log
    const errorId = errorIdOf(error);
    logger.error({ err: error, errorId }, "web: sign-in failed");
    throw new Error(unexpectedFailureMessage(errorId));
  }
}

export const authOptions: NextAuthOptions = {
  // getters: next-auth reads them per request; `next build` imports this file without the servers' configuration
  get secret() {
    return env.NEXTAUTH_SECRET;
  },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S, updateAge: 60 * 60 },
  jwt: { maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: "/login" },
  get useSecureCookies() {
    return useSecureCookies();
  },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) =>
        clearErrors(async () => {
          const parsed = signInSchema.safeParse(credentials);
          if (!parsed.success) throw new SignInRefused("Enter your email and password.");
          const { email, password } = parsed.data;
          const perMinute = env.RATE_LIMIT_SIGNIN_PER_MIN;
          await limit("signin:ip", requestIp(req?.headers), perMinute, 60_000, "sign-in attempts");
          await limit("signin:account", email, perMinute, 60_000, "sign-in attempts for this account");
          const user = await getDb().user.findUnique({ where: { email } });
          // same work whether or not the account exists: no user enumeration by timing
          const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
          if (!user || !user.passwordHash || !ok) {
            // who tried which account from where (an unknown address names no account, and is not stored)
            await getDb().auditLog.create({ data: { action: "user.signInFailed", targetType: "user", targetId: user?.id ?? null, ip: requestIp(req?.headers) } });
            throw new SignInRefused(WRONG_CREDENTIALS);
          }
          await getDb().auditLog.create({ data: { actorId: user.id, action: "user.signIn", targetType: "user", targetId: user.id, ip: requestIp(req?.headers) } });
          return { id: user.id, name: user.name, email: user.email, role: user.role, isGuest: false, tokenVersion: user.tokenVersion } satisfies SessionUserClaims;
        }),
    }),
    CredentialsProvider({
      id: "guest",
      name: "Guest",
      credentials: { name: { label: "Your name", type: "text" } },
      authorize: (credentials, req) =>
        clearErrors(async () => {
          const parsed = displayName.safeParse(credentials?.name);
          if (!parsed.success) throw new SignInRefused(parsed.error.issues[0]?.message ?? "Enter a name.");
          await limit("guest:ip", requestIp(req?.headers), env.RATE_LIMIT_GUESTS_PER_HOUR, 3_600_000, "guest sessions from your network");
          const guest = await getDb().user.create({ data: { name: parsed.data, isGuest: true } });
          return { id: guest.id, name: guest.name, email: null, role: guest.role, isGuest: true, tokenVersion: guest.tokenVersion } satisfies SessionUserClaims;
        }),
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        const claims = user as SessionUserClaims;
        token.uid = claims.id;
        token.tv = claims.tokenVersion;
        token.role = claims.role;
        token.guest = claims.isGuest;
        token.name = claims.name;
      }
      return token;
    },
    session({ session, token }) {
      session.user = { name: token.name ?? null, email: token.email ?? null, image: null };
      return Object.assign(session, { userId: token.uid, role: token.role, isGuest: token.guest });
    },
  },
};

// next-auth configuration (credentials + guest providers, JWT sessions). The web app serves it at
// /api/auth/*; the realtime server reads the same cookie with services/session.ts.
import type { NextAuthOptions, User as NextAuthUser } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@qualmeet/db";
import { env } from "@qualmeet/config";
import { SESSION_MAX_AGE_S, useSecureCookies } from "./env.ts";
import { decoyPasswordHash, verifyPassword } from "./services/password.ts";
import { CLIENT_IP_HEADER, addressBlock } from "./services/clientIp.ts";
import { consumeToken, retryMessage } from "./services/rateLimit.ts";
import { clearSignInFailures, recordSignInFailure, signInChallengeSolved, signInState } from "./services/signInGuard.ts";
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
/** A sign-in that needed a solved challenge and came without one (a script, or a page that skipped the check). */
const CHALLENGE_NEEDED = "This sign-in needs a quick check of your browser first. Please try again.";
const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(200),
  /** a solved proof-of-work challenge (see services/signInGuard.ts), when this sign-in needs one */
  challenge: z.string().max(4096).optional(),
});

// Our web server (apps/web/server.ts) puts the one client address it trusts in CLIENT_IP_HEADER.
const requestIp = (headers: Record<string, unknown> | undefined): string => String(headers?.[CLIENT_IP_HEADER] ?? "unknown");

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
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" }, challenge: { label: "Check", type: "hidden" } },
      authorize: (credentials, req) =>
        clearErrors(async () => {
          const parsed = signInSchema.safeParse(credentials);
          if (!parsed.success) throw new SignInRefused("Enter your email and password.");
          const { email, password, challenge } = parsed.data;
          const ip = requestIp(req?.headers);
          const redis = getRedis();
          // one address trying many accounts; never one account from everywhere, which would let anyone lock its owner out
          await limit("signin:ip", addressBlock(ip), env.RATE_LIMIT_SIGNIN_PER_MIN, 60_000, "sign-in attempts");
          const state = await signInState(redis, ip, email);
          // a guesser held back is a security event too (no account named: the address may not be one)
          const refused = (reason: string) => getDb().auditLog.create({ data: { action: "user.signInRefused", ip, data: { reason } } });
          if (state.waitMs > 0) {
            await refused("waiting after failed sign-ins");
            throw new SignInRefused(retryMessage("failed sign-ins to this account from your network", state.waitMs));
          }
          if (state.challengeRequired && !(await signInChallengeSolved(redis, ip, email, challenge))) {
            logger.info({ ip }, "web: sign-in without a solved challenge refused");
            await refused("no solved challenge");
            throw new SignInRefused(CHALLENGE_NEEDED);
          }
          const user = await getDb().user.findUnique({ where: { email } });
          // same work whether or not the account exists: no user enumeration by timing
          const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
          if (!user || !user.passwordHash || !ok) {
            await recordSignInFailure(redis, ip, email);
            // who tried which account from where (an unknown address names no account, and is not stored)
            await getDb().auditLog.create({ data: { action: "user.signInFailed", targetType: "user", targetId: user?.id ?? null, ip } });
            throw new SignInRefused(WRONG_CREDENTIALS);
          }
          await clearSignInFailures(redis, ip, email);
          await getDb().auditLog.create({ data: { actorId: user.id, action: "user.signIn", targetType: "user", targetId: user.id, ip } });
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
          await limit("guest:ip", addressBlock(requestIp(req?.headers)), env.RATE_LIMIT_GUESTS_PER_HOUR, 3_600_000, "guest sessions from your network");
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

// Typed tRPC clients and a next-auth sign-in over plain HTTP, for tests that drive the servers without a browser.
import { randomUUID } from "node:crypto";
import { createWebClient, type TRPCClient } from "@qualmeet/client";
import { createRealtimeConnection, nodeWebSocket, type RealtimeConnection } from "@qualmeet/client/node";
import { solveInNode } from "@qualmeet/challenge/node";
import type { AppRouter } from "../../packages/api/src/index.ts";

export type { RealtimeConnection } from "@qualmeet/client/node";

/** `headers`: e.g. X-Forwarded-For, for a web app that trusts this machine as its proxy (WEB_TRUSTED_PROXIES). One request per call. */
export function webClient(webUrl: string, cookie = "", headers: Record<string, string> = {}): TRPCClient<AppRouter> {
  return createWebClient({ url: webUrl, cookie, headers, batch: false });
}

/**
 * A realtime socket as a browser page at `origin` would open it, carrying `cookie`, or as a bot would, with an API
 * token (`authorization: "Bearer qm_..."`) and no origin. With `traceparent`, each request sent carries what it
 * returns then (a W3C traceparent, "" for none) as `params.traceparent`, as a traced client does.
 */
export function realtimeClient(wsUrl: string, options: { cookie?: string; origin?: string; authorization?: string; traceparent?: () => string }): RealtimeConnection {
  const { traceparent } = options;
  const Authenticated = nodeWebSocket({ cookie: options.cookie, origin: options.origin, headers: options.authorization ? { authorization: options.authorization } : {} });
  class TracedWebSocket extends Authenticated {
    override send(data: Parameters<WebSocket["send"]>[0]): void {
      const current = traceparent?.();
      if (!current || typeof data !== "string" || data === "PING" || data === "PONG") return super.send(data);
      const parsed = JSON.parse(data) as { params?: Record<string, unknown> } | Array<{ params?: Record<string, unknown> }>;
      for (const request of Array.isArray(parsed) ? parsed : [parsed]) if (request.params) request.params.traceparent = current;
      super.send(JSON.stringify(parsed));
    }
  }
  return createRealtimeConnection({ url: wsUrl, WebSocket: TracedWebSocket, retryDelayMs: () => 200, keepAlive: false });
}

export const uniqueEmail = (): string => `user-${randomUUID()}@example.test`;

/** Cookie header value ("name=value; ...") from a response's Set-Cookie headers, merged into `jar`. */
function mergeCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

export interface SignInResult {
  ok: boolean;
  /** next-auth's error text when refused (e.g. "Wrong email or password.") */
  error: string | null;
  /** the Cookie header to send as this user */
  cookie: string;
}

/** Signs in through next-auth's credentials (or guest) callback, as the login form does. */
export async function signIn(
  webUrl: string,
  fields: Record<string, string>,
  provider: "credentials" | "guest" = "credentials",
  headers: Record<string, string> = {},
): Promise<SignInResult> {
  const jar = new Map<string, string>();
  const csrfRes = await fetch(`${webUrl}/api/auth/csrf`);
  mergeCookies(jar, csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${webUrl}/api/auth/callback/${provider}`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ ...fields, csrfToken, json: "true", callbackUrl: webUrl }),
  });
  mergeCookies(jar, res);
  const location = res.headers.get("location") ?? ((await res.json().catch(() => ({}))) as { url?: string }).url ?? "";
  const error = location ? new URL(location, webUrl).searchParams.get("error") : null;
  const ok = !error && [...jar.keys()].some((k) => k.includes("session-token"));
  return { ok, error, cookie: cookieHeader(jar) };
}

/** Registers an account as the registration form does: asks for a proof-of-work challenge, solves it, sends it. */
export async function register(webUrl: string, input: { name: string; email: string; password: string }): Promise<{ id: string; name: string; email: string | null }> {
  const client = webClient(webUrl);
  const { challenge } = await client.auth.challenge.mutate({ purpose: "register" });
  return client.auth.register.mutate({ ...input, challenge: await solveInNode(challenge!) });
}

/** The solved challenge a sign-in to `email` needs now, as the login form finds it ("" when none is needed). */
export async function signInChallenge(webUrl: string, email: string, headers: Record<string, string> = {}): Promise<string> {
  const { challenge } = await webClient(webUrl, "", headers).auth.challenge.mutate({ purpose: "signin", email });
  return challenge ? solveInNode(challenge) : "";
}

/** A fresh account, signed in. */
export async function newUser(webUrl: string, name = "Test User"): Promise<{ email: string; password: string; cookie: string; id: string }> {
  const email = uniqueEmail();
  const password = "correct horse battery";
  const user = await register(webUrl, { name, email, password });
  const session = await signIn(webUrl, { email, password });
  if (!session.ok) throw new Error(`sign-in failed: ${session.error}`);
  return { email, password, cookie: session.cookie, id: user.id };
}

import { encode } from "next-auth/jwt";
import { beforeAll, expect, test } from "vitest";
import { readSession } from "./session.ts";

const secret = "unit-test-secret-unit-test-secret";
beforeAll(() => {
  process.env.NEXTAUTH_SECRET = secret;
  // the configuration a server needs (nothing connects to them here)
  process.env.DATABASE_URL = "postgresql://unit@localhost:1/unit";
  process.env.REDIS_URL = "redis://localhost:1";
  delete process.env.NEXTAUTH_URL; // plain http: cookie name without the __Secure- prefix
});

const token = (claims: Record<string, unknown>, maxAge = 3600) => encode({ token: { sub: "x", ...claims }, secret, maxAge });

test("reads user id and token version from the session cookie among others", async () => {
  const jwt = await token({ uid: "user-1", tv: 3 });
  const session = await readSession(`theme=dark; next-auth.session-token=${jwt}; other=1`);
  expect(session).toMatchObject({ userId: "user-1", tokenVersion: 3 });
  expect(session!.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
});

test("reassembles a cookie next-auth split into chunks", async () => {
  const jwt = await token({ uid: "user-2", tv: 0 });
  const cut = Math.floor(jwt.length / 2);
  const session = await readSession(`next-auth.session-token.1=${jwt.slice(cut)}; next-auth.session-token.0=${jwt.slice(0, cut)}`);
  expect(session).toMatchObject({ userId: "user-2", tokenVersion: 0 });
});

test("no cookie, a tampered cookie, a foreign secret or an expired cookie mean signed out", async () => {
  const jwt = await token({ uid: "user-3", tv: 1 });
  expect(await readSession(undefined)).toBeNull();
  expect(await readSession("next-auth.session-token=")).toBeNull();
  expect(await readSession(`next-auth.session-token=${jwt.slice(0, -4)}abcd`)).toBeNull();
  const foreign = await encode({ token: { uid: "user-3", tv: 1 }, secret: "another-secret-another-secret" });
  expect(await readSession(`next-auth.session-token=${foreign}`)).toBeNull();
  const expired = await token({ uid: "user-3", tv: 1 }, -60);
  expect(await readSession(`next-auth.session-token=${expired}`)).toBeNull();
});

test("a token without our claims (not issued by QualMeet) is refused", async () => {
  expect(await readSession(`next-auth.session-token=${await token({})}`)).toBeNull();
});

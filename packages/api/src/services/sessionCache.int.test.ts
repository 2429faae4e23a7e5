// The session check while PostgreSQL is unreachable, with the real Redis and PostgreSQL of the test run. The
// outage is a database whose user lookup fails as a lost connection does (the boundary faked): the token
// version PostgreSQL last confirmed is trusted, and a revocation still ends the old session at once.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { appRouter } from "../root.ts";
import { createCallerFactory, type Context } from "../trpc.ts";
import { createRedis } from "./redis.ts";
import { SESSION_CACHE_MS, rememberSessionUser, sessionUserKey } from "./sessionCache.ts";

let db: PrismaClient;
let redis: Redis;
const createCaller = createCallerFactory(appRouter);

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "session-cache-test");
});

afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

/** The real client, except that looking a user up fails the way it does while PostgreSQL restarts. */
function databaseDown(): PrismaClient {
  const lost = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });
  const users = new Proxy(db.user, { get: (target, key) => (key === "findUnique" ? () => Promise.reject(lost) : Reflect.get(target, key)) });
  return new Proxy(db, { get: (target, key) => (key === "user" ? users : Reflect.get(target, key)) });
}

const caller = (database: PrismaClient, userId: string, tokenVersion: number) =>
  createCaller({
    db: database,
    redis,
    session: { userId, tokenVersion, expiresAt: Date.now() + 60_000 },
    ip: `10.9.${Math.floor(Math.random() * 250)}.1`,
    transport: "http",
  } satisfies Context);

async function account() {
  return db.user.create({ data: { name: "Outage Olga", email: `${randomUUID()}@example.test` } });
}

test("while PostgreSQL is down, a session it confirmed a moment ago still passes, for a stated time only", async () => {
  const user = await account();
  // a call with PostgreSQL up confirms the session
  expect(await caller(db, user.id, user.tokenVersion).auth.me()).toMatchObject({ id: user.id });
  expect(await caller(databaseDown(), user.id, user.tokenVersion).auth.me()).toMatchObject({ id: user.id, name: "Outage Olga" });
  expect(await redis.pttl(sessionUserKey(user.id))).toBeGreaterThan(SESSION_CACHE_MS - 10_000);

  // a session never confirmed (or confirmed too long ago) is not guessed at: the call says the database is down
  const stranger = await account();
  await expect(caller(databaseDown(), stranger.id, stranger.tokenVersion).chat.list()).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
});

test("signing out everywhere ends the old sessions at once, even while PostgreSQL is down", async () => {
  const user = await account();
  const old = caller(db, user.id, user.tokenVersion);
  expect(await old.auth.me()).toMatchObject({ id: user.id });
  await old.auth.signOutEverywhere();
  // PostgreSQL down right after: refused (the remembered version is the new one); PostgreSQL up: refused
  expect(await caller(databaseDown(), user.id, user.tokenVersion).auth.me()).toBeNull();
  await expect(caller(databaseDown(), user.id, user.tokenVersion).chat.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  expect(await old.auth.me()).toBeNull();
  // a session signed in after it works through the outage
  expect(await caller(databaseDown(), user.id, user.tokenVersion + 1).auth.me()).toMatchObject({ id: user.id });
});

test("a call that read the old token version just before a sign-out everywhere cannot put it back", async () => {
  const user = await account();
  const old = caller(db, user.id, user.tokenVersion);
  expect(await old.auth.me()).toMatchObject({ id: user.id });
  await old.auth.signOutEverywhere();
  // the slow call's write of what it read before the sign-out arrives now
  await rememberSessionUser(redis, { id: user.id, name: user.name, email: user.email, role: user.role, isGuest: user.isGuest, tokenVersion: user.tokenVersion });
  expect(await caller(databaseDown(), user.id, user.tokenVersion).auth.me()).toBeNull();
  // the next confirmation of the new version still refreshes the copy
  await rememberSessionUser(redis, { id: user.id, name: "Olga Renamed", email: user.email, role: user.role, isGuest: user.isGuest, tokenVersion: user.tokenVersion + 1 });
  expect(await caller(databaseDown(), user.id, user.tokenVersion + 1).auth.me()).toMatchObject({ name: "Olga Renamed" });
});

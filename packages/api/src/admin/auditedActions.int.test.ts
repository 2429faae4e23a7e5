// Actions that reach the audit log from outside the moderation domain, against the test run's real PostgreSQL and
// Redis: a display name change (how someone would pose as another) and a group admin removing a member. Leaving a
// group oneself, or a removal that removes nobody, writes nothing.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient, type User } from "@qualmeet/db";
import { appRouter } from "../root.ts";
import { createRedis } from "../services/redis.ts";
import { createCallerFactory, type Context } from "../trpc.ts";

let db: PrismaClient;
let redis: Redis;
const createCaller = createCallerFactory(appRouter);

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "audited-actions-test");
});

afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
});

const person = (name: string) => db.user.create({ data: { name, email: `${randomUUID()}@example.test` } });
const as = (user: User, ip = "198.51.100.40") =>
  createCaller({ db, redis, session: { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + 60_000 }, ip, transport: "http" } satisfies Context);
const entries = (action: string, targetId: string) => db.auditLog.findMany({ where: { action, targetId }, orderBy: { id: "asc" } });

test("a display name change is audited with the old and the new name, and the address", async () => {
  const ann = await person("Ann Original");
  await as(ann, "198.51.100.41").user.updateProfile({ name: "Ann Renamed" });
  expect(await entries("user.updateProfile", ann.id)).toEqual([
    expect.objectContaining({ actorId: ann.id, targetType: "user", data: { from: "Ann Original", to: "Ann Renamed" }, ip: "198.51.100.41" }),
  ]);
});

test("a group admin removing a member is audited; leaving oneself, or removing nobody, is not", async () => {
  const [ann, bob, cy] = await Promise.all([person("Group Ann"), person("Group Bob"), person("Group Cy")]);
  const group = await as(ann).chat.createGroup({ title: "Audited group", memberIds: [bob.id, cy.id] });

  await as(ann, "198.51.100.42").chat.removeMember({ conversationId: group.id, userId: bob.id });
  expect(await entries("chat.removeMember", bob.id)).toEqual([
    expect.objectContaining({ actorId: ann.id, targetType: "user", data: { conversationId: group.id }, ip: "198.51.100.42" }),
  ]);

  await as(cy).chat.removeMember({ conversationId: group.id, userId: cy.id });
  expect(await entries("chat.removeMember", cy.id)).toEqual([]);
  // bob is gone already: nothing removed, nothing written (the transaction took the entry back)
  await expect(as(ann).chat.removeMember({ conversationId: group.id, userId: bob.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  expect(await entries("chat.removeMember", bob.id)).toHaveLength(1);
});

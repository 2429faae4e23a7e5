// The audit log page's reads against the test run's real PostgreSQL and Redis: filters by actor, action, target
// and time, keyset pages without repeats or gaps, and the CSV export (through the same function the web route
// calls, with real session cookies): exactly the filtered rows, formula cells disarmed, nothing for non-admins.
// Rows are this file's own (a unique action prefix, times in 2001), so entries of other test files never interfere.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type PrismaClient, type User } from "@qualmeet/db";
import { parseCsv } from "../../../../tests/harness/csv.ts";
import { appRouter } from "../root.ts";
import { createRedis } from "../services/redis.ts";
import { createCallerFactory, type Context } from "../trpc.ts";
import { AUDIT_CSV_HEADER } from "./auditCsv.ts";
import { auditCsvExport } from "./auditExport.ts";

let db: PrismaClient;
let redis: Redis;
const createCaller = createCallerFactory(appRouter);
const prefix = `itest${randomUUID().slice(0, 8)}`;
const BASE = Date.UTC(2001, 0, 1);
const ROWS = 1203; // past two export batches of 500, and a partial third
let ann: User;
let bob: User;
let admin: User;
let plain: User;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  redis = createRedis({ url: process.env.REDIS_URL! }, "audit-log-test");
  const person = (name: string, role: "ADMIN" | "USER" = "USER") =>
    db.user.create({ data: { name: `${name} ${prefix}`, email: `${name.toLowerCase()}-${randomUUID()}@example.test`, role } });
  [ann, bob, admin, plain] = await Promise.all([person("Ann"), person("Bob"), person("Admin", "ADMIN"), person("Plain")]);
  // one row a minute from 2001-01-01: ann's are alpha, bob's beta; every tenth has a reason, some start like a formula
  await db.auditLog.createMany({
    data: Array.from({ length: ROWS }, (_, i) => ({
      actorId: i % 2 === 0 ? ann.id : bob.id,
      action: `${prefix}.${i % 2 === 0 ? "alpha" : "beta"}`,
      targetType: i % 3 === 0 ? "meeting" : "user",
      targetId: `target-${i % 7}`,
      data: i % 10 === 0 ? { reason: i % 20 === 0 ? `=HYPERLINK("http://evil.example/${i}")` : `spam, "links" & ünïcödé 🎥 ${i}`, n: i } : undefined,
      ip: `203.0.113.${i % 250}`,
      createdAt: new Date(BASE + i * 60_000),
    })),
  });
});

afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
});

const as = (user: User) =>
  createCaller({
    db,
    redis,
    session: { userId: user.id, tokenVersion: user.tokenVersion, expiresAt: Date.now() + 60_000 },
    ip: "198.51.100.9",
    transport: "http",
  } satisfies Context);

const cookieOf = async (user: User) =>
  `next-auth.session-token=${await encode({ token: { sub: user.id, uid: user.id, tv: user.tokenVersion }, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })}`;

/** The ids the page shows for `filter`, following "Older" to the end. */
async function listedIds(filter: Record<string, string>, limit = 100): Promise<string[]> {
  const ids: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await as(admin).admin.audit.list({ filter, before, limit });
    ids.push(...page.entries.map((e) => e.id));
    if (!page.olderThan) return ids;
    before = page.olderThan;
  }
}

/** Expected ids straight from the table (newest first). */
const idsWhere = async (where: Parameters<PrismaClient["auditLog"]["findMany"]>[0]) =>
  (await db.auditLog.findMany({ ...where, select: { id: true }, orderBy: { id: "desc" } })).map((row) => row.id.toString());

const minute = (i: number) => new Date(BASE + i * 60_000).toISOString().slice(0, 16);

describe("admin.audit.list", () => {
  test("pages newest first with no entry repeated or skipped, and Newer leads back to the same pages", async () => {
    const expected = await idsWhere({ where: { action: { startsWith: `${prefix}.` } } });
    expect(expected).toHaveLength(ROWS);
    const listed = await listedIds({ action: `${prefix}.*` }, 50);
    expect(listed).toEqual(expected);

    const first = await as(admin).admin.audit.list({ filter: { action: `${prefix}.*` }, limit: 50 });
    expect(first.newerThan).toBeNull();
    const second = await as(admin).admin.audit.list({ filter: { action: `${prefix}.*` }, before: first.olderThan!, limit: 50 });
    const third = await as(admin).admin.audit.list({ filter: { action: `${prefix}.*` }, before: second.olderThan!, limit: 50 });
    const backToSecond = await as(admin).admin.audit.list({ filter: { action: `${prefix}.*` }, after: third.newerThan!, limit: 50 });
    expect(backToSecond.entries.map((e) => e.id)).toEqual(second.entries.map((e) => e.id));
    const backToFirst = await as(admin).admin.audit.list({ filter: { action: `${prefix}.*` }, after: backToSecond.newerThan!, limit: 50 });
    expect(backToFirst).toEqual(first);
  });

  test("filters by actor (part of the name, the e-mail, or the id), action, target and time, together", async () => {
    const annIds = await idsWhere({ where: { actorId: ann.id } });
    expect(await listedIds({ actor: `ann ${prefix}` })).toEqual(annIds);
    expect(await listedIds({ actor: ann.email!.toUpperCase() })).toEqual(annIds);
    expect(await listedIds({ actor: ann.id })).toEqual(annIds);
    // LIKE's wildcards are taken literally: "%" matches no name here
    expect(await listedIds({ actor: `%${prefix}` })).toEqual([]);

    expect(await listedIds({ action: `${prefix}.beta` })).toEqual(await idsWhere({ where: { action: `${prefix}.beta` } }));
    expect(await listedIds({ action: `${prefix}.bet` })).toEqual([]);

    const window = { action: `${prefix}.*`, targetType: "meeting", targetId: "target-3", from: minute(100), until: minute(400) };
    const expected = await idsWhere({
      where: {
        action: { startsWith: `${prefix}.` },
        targetType: "meeting",
        targetId: "target-3",
        createdAt: { gte: new Date(BASE + 100 * 60_000), lte: new Date(BASE + 400 * 60_000) },
      },
    });
    expect(expected.length).toBeGreaterThan(5);
    expect(await listedIds(window)).toEqual(expected);

    const page = await as(admin).admin.audit.list({ filter: { action: `${prefix}.alpha`, targetId: "target-0", from: minute(0), until: minute(0) } });
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({
      actor: { id: ann.id, name: ann.name, email: ann.email },
      action: `${prefix}.alpha`,
      targetType: "meeting",
      targetId: "target-0",
      reason: '=HYPERLINK("http://evil.example/0")',
      ip: "203.0.113.0",
    });
    expect(JSON.parse(page.entries[0]!.data!)).toEqual({ reason: '=HYPERLINK("http://evil.example/0")', n: 0 });
  });

  test("a wrong filter or page position is a BAD_REQUEST naming the field, and non-admins are refused", async () => {
    await expect(as(admin).admin.audit.list({ filter: { from: "yesterday" } })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/From/) });
    await expect(as(admin).admin.audit.list({ filter: { from: minute(5), until: minute(1) } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(as(admin).admin.audit.list({ filter: {}, before: "1 OR 1=1" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(as(plain).admin.audit.list({ filter: {} })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(plain).admin.audit.verify()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  test("actions lists every action name once; verify reports the whole chain intact", async () => {
    const actions = await as(admin).admin.audit.actions();
    expect(actions.filter((a) => a.startsWith(prefix))).toEqual([`${prefix}.alpha`, `${prefix}.beta`]);
    const result = await as(admin).admin.audit.verify();
    expect(result).toEqual({ ok: true, entries: await db.auditLog.count() });
  });
});

describe("CSV export", () => {
  const exportCsv = async (cookie: string | null, query: Record<string, string>) => auditCsvExport({ db, redis, cookie, ip: "198.51.100.9", query: new URLSearchParams(query) });

  test("holds exactly the filtered view's rows, in its order, across several batches, formula cells disarmed", async () => {
    const filter = { action: `${prefix}.*`, targetType: "user", from: minute(3), until: minute(1150) };
    const shown = await listedIds(filter);
    expect(shown.length).toBeGreaterThan(500);
    const res = await exportCsv(await cookieOf(admin), filter);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-[\d-T]+Z\.csv"$/);
    const [header, ...records] = parseCsv(await res.text());
    expect(header).toEqual(AUDIT_CSV_HEADER);
    expect(records.map((r) => r[0])).toEqual(shown);

    const rows = await db.auditLog.findMany({ where: { id: { in: shown.map(BigInt) } }, include: { actor: true } });
    const byId = new Map(rows.map((row) => [row.id.toString(), row]));
    for (const [id, time, actorId, actorName, , action, targetType, targetId, reason, ip] of records) {
      const row = byId.get(id!)!;
      expect([time, actorId, actorName, action, targetType, targetId, ip]).toEqual([
        row.createdAt.toISOString(),
        row.actorId,
        row.actor!.name,
        row.action,
        "user",
        row.targetId,
        row.ip,
      ]);
      const stored = (row.data as { reason?: string } | null)?.reason ?? "";
      // a reason starting with "=" is shown as text ("'=..."), every other one as it is
      expect(reason).toBe(stored.startsWith("=") ? `'${stored}` : stored);
    }
    expect(records.some((r) => r[8]!.startsWith("'=HYPERLINK"))).toBe(true);
    expect(records.some((r) => r[8]!.startsWith('spam, "links" & ünïcödé 🎥'))).toBe(true);

    // taking a copy of the log is itself an audited admin action
    const exported = await db.auditLog.findFirst({ where: { action: "admin.auditExport", actorId: admin.id }, orderBy: { id: "desc" } });
    expect(exported).toMatchObject({ targetType: "auditLog", ip: "198.51.100.9", data: { filter } });
  });

  test("an export of nothing is the header alone; a wrong filter is a 400 that names it", async () => {
    const empty = await exportCsv(await cookieOf(admin), { action: `${prefix}.nothing` });
    expect(parseCsv(await empty.text())).toEqual([AUDIT_CSV_HEADER]);
    const wrong = await exportCsv(await cookieOf(admin), { until: "soon" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/^until: Until must be a date and time/);
  });

  test("signed out gets 401, a non-admin or guest 403, and neither gets a row", async () => {
    const guest = await db.user.create({ data: { name: `Guest ${prefix}`, isGuest: true } });
    for (const [cookie, status] of [
      [null, 401],
      ["next-auth.session-token=forged", 401],
      [await cookieOf(plain), 403],
      [await cookieOf(guest), 403],
    ] as const) {
      const res = await exportCsv(cookie, { action: `${prefix}.*` });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).not.toMatch(/csv/);
      const body = await res.text();
      expect(body).not.toContain(prefix);
      expect(body).not.toContain("203.0.113.");
    }
  });
});

test("an export that cannot start says so with an error id, and sends no row", async () => {
  const broken = new Error('relation "User" is being rebuilt');
  const users = new Proxy(db.user, { get: (target, key) => (key === "findUnique" ? () => Promise.reject(broken) : Reflect.get(target, key)) });
  const failing = new Proxy(db, { get: (target, key) => (key === "user" ? users : Reflect.get(target, key)) });
  const res = await auditCsvExport({ db: failing, redis, cookie: await cookieOf(admin), ip: "198.51.100.9", query: new URLSearchParams({ action: `${prefix}.*` }) });
  expect(res.status).toBe(500);
  const body = await res.text();
  expect(body).toMatch(/^Something went wrong on our side\..*error id [0-9a-f]{12}\.\n$/);
  expect(body).not.toContain("rebuilt");
});

// Personal access tokens through the real web app and realtime node: scopes decide what a token may call, a revoked
// or expired token is refused on the next call and its open socket closes, bad input stores nothing, and only the
// owner (or an admin) can revoke a token.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { createDb, type PrismaClient } from "@qualmeet/db";
import type { ApiTokenScope } from "@qualmeet/api/api-token-scopes";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
let node: RealtimeServer;
let db: PrismaClient;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb();
  node = await startRealtime({ allowedOrigins: [web.url] });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
  await db?.$disconnect();
});

const inADay = () => new Date(Date.now() + 86_400_000);
const bearer = (secret: string) => `Bearer ${secret}`;

async function tokenFor(cookie: string, scopes: ApiTokenScope[], name = "Test bot") {
  return webClient(web.url, cookie).apiTokens.create.mutate({ name, scopes, expiresAt: inADay() });
}

function botSocket(secret: string): RealtimeConnection {
  const conn = realtimeClient(node.wsUrl, { authorization: bearer(secret) });
  open.push(conn);
  return conn;
}

/** A raw socket with the token: resolves `closed` with the close code the node sends. */
async function openRawSocket(secret: string): Promise<{ closed: Promise<number> }> {
  const ws = new WebSocket(node.wsUrl, { headers: { authorization: bearer(secret) } });
  const closed = new Promise<number>((resolve, reject) => {
    ws.once("close", (code) => resolve(code));
    ws.once("error", reject);
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return { closed };
}

function upgradeStatus(secret: string): Promise<number | "open"> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.wsUrl, { headers: { authorization: bearer(secret) } });
    ws.once("open", () => {
      ws.close();
      resolve("open");
    });
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", reject);
  });
}

test("a token with the read scope reads chat but cannot send; one with the send scope can; tokens cannot call unmapped procedures", async () => {
  const ann = await newUser(web.url, "Token Ann");
  const bob = await newUser(web.url, "Token Bob");
  const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  const reader = await tokenFor(ann.cookie, ["chat:read"]);
  const asReader = webClient(web.url, "", { authorization: bearer(reader.secret) });

  expect(await asReader.chat.history.query({ conversationId: dm.id })).toMatchObject({ messages: [] });
  await expect(botSocket(reader.secret).client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "from a reader" })).rejects.toMatchObject({
    data: { code: "FORBIDDEN" },
    message: expect.stringContaining('"chat:send"'),
  });
  await expect(asReader.apiTokens.list.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: expect.stringMatching(/API tokens cannot call apiTokens\.list/) });
  await expect(asReader.meeting.create.mutate({ title: "Not allowed", maxParticipants: 3 })).rejects.toMatchObject({ message: expect.stringContaining('"meetings:manage"') });

  const sender = await tokenFor(ann.cookie, ["chat:send"]);
  const sent = await botSocket(sender.secret).client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "from a bot" });
  expect(sent).toMatchObject({ sender: { id: ann.id } });
  const { messages } = await webClient(web.url, bob.cookie).chat.history.query({ conversationId: dm.id });
  expect(messages.map((m) => m.body)).toEqual(["from a bot"]);
  // the reader's use was recorded, and a call within the minute writes nothing more
  const { lastUsedAt } = await db.apiToken.findUniqueOrThrow({ where: { id: reader.token.id } });
  expect(lastUsedAt).not.toBeNull();
  await asReader.chat.list.query();
  expect((await db.apiToken.findUniqueOrThrow({ where: { id: reader.token.id } })).lastUsedAt).toEqual(lastUsedAt);
});

test("a revoked token is refused at once: its open socket closes, the next HTTP call and a new socket are refused", async () => {
  const cal = await newUser(web.url, "Token Cal");
  const { token, secret } = await tokenFor(cal.cookie, ["chat:read"]);
  const asBot = webClient(web.url, "", { authorization: bearer(secret) });
  expect(await asBot.chat.list.query()).toEqual([]);
  const socket = await openRawSocket(secret);

  await webClient(web.url, cal.cookie).apiTokens.revoke.mutate({ tokenId: token.id });
  expect(await socket.closed).toBe(4401);
  await expect(asBot.chat.list.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" }, message: expect.stringMatching(/revoked, has expired/) });
  expect(await upgradeStatus(secret)).toBe(401);

  const listed = await webClient(web.url, cal.cookie).apiTokens.list.query();
  expect(listed).toEqual([expect.objectContaining({ id: token.id, revokedAt: expect.any(Date), live: false })]);
  const actions = await db.auditLog.findMany({ where: { targetId: token.id }, orderBy: { id: "asc" }, select: { action: true, actorId: true } });
  expect(actions).toEqual([
    { action: "apiToken.create", actorId: cal.id },
    { action: "apiToken.revoke", actorId: cal.id },
  ]);
});

test("an expired token is refused, and the failure is audited with the address", async () => {
  const dee = await newUser(web.url, "Token Dee");
  const { token, secret } = await tokenFor(dee.cookie, ["chat:read"]);
  await db.apiToken.update({ where: { id: token.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const before = await db.auditLog.count({ where: { action: "apiToken.authFailed" } });
  await expect(webClient(web.url, "", { authorization: bearer(secret) }).chat.list.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  expect(await upgradeStatus(secret)).toBe(401);
  expect(await db.auditLog.count({ where: { action: "apiToken.authFailed" } })).toBe(before + 1);
});

test("unknown scopes, an empty or too long name and an expiry in the past are refused with a clear error, storing nothing", async () => {
  const eve = await newUser(web.url, "Token Eve");
  const client = webClient(web.url, eve.cookie);
  const create = (input: { name: string; scopes: string[]; expiresAt: Date }) => client.apiTokens.create.mutate(input as Parameters<typeof client.apiTokens.create.mutate>[0]);
  await expect(create({ name: "Bot", scopes: ["chat:everything"], expiresAt: inADay() })).rejects.toMatchObject({
    data: { code: "BAD_REQUEST" },
    message: expect.stringMatching(/Unknown scope/),
  });
  await expect(create({ name: "Bot", scopes: [], expiresAt: inADay() })).rejects.toMatchObject({ message: expect.stringMatching(/at least one scope/) });
  await expect(create({ name: "  ", scopes: ["chat:read"], expiresAt: inADay() })).rejects.toMatchObject({ message: expect.stringMatching(/Give the token a name/) });
  await expect(create({ name: "x".repeat(81), scopes: ["chat:read"], expiresAt: inADay() })).rejects.toMatchObject({ message: expect.stringMatching(/at most 80 characters/) });
  await expect(create({ name: "Bot", scopes: ["chat:read"], expiresAt: new Date(Date.now() - 60_000) })).rejects.toMatchObject({
    message: expect.stringMatching(/expiry is in the past/),
  });
  expect(await db.apiToken.count({ where: { userId: eve.id } })).toBe(0);
});

test("another user's token cannot be revoked (NOT_FOUND); an admin lists and revokes any token", async () => {
  const fay = await newUser(web.url, "Token Fay");
  const gus = await newUser(web.url, "Token Gus");
  const admin = await newUser(web.url, "Token Admin");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  const { token, secret } = await tokenFor(fay.cookie, ["meetings:join"], "Fay's bot");

  await expect(webClient(web.url, gus.cookie).apiTokens.revoke.mutate({ tokenId: token.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  expect((await db.apiToken.findUniqueOrThrow({ where: { id: token.id } })).revokedAt).toBeNull();

  const adminClient = webClient(web.url, admin.cookie);
  const { items } = await adminClient.admin.tokens.list.query({ limit: 100 });
  expect(items.find((t) => t.id === token.id)).toMatchObject({ name: "Fay's bot", user: { id: fay.id } });
  await adminClient.admin.tokens.revoke.mutate({ tokenId: token.id });
  expect(await upgradeStatus(secret)).toBe(401);
  expect(await db.auditLog.count({ where: { action: "admin.apiToken.revoke", targetId: token.id, actorId: admin.id } })).toBe(1);
});

test("the secret is shown once: stored only as its SHA-256 and never returned by a list", async () => {
  const hal = await newUser(web.url, "Token Hal");
  const { token, secret } = await tokenFor(hal.cookie, ["chat:read", "chat:send"]);
  expect(secret).toMatch(/^qm_[A-Za-z0-9_-]{43}$/);
  const row = await db.apiToken.findUniqueOrThrow({ where: { id: token.id } });
  expect(row.tokenHash).toBe(createHash("sha256").update(secret).digest("hex"));
  expect(JSON.stringify(row)).not.toContain(secret);
  const listed = await webClient(web.url, hal.cookie).apiTokens.list.query();
  expect(listed).toEqual([
    { id: token.id, name: "Test bot", scopes: ["chat:read", "chat:send"], createdAt: expect.any(Date), expiresAt: expect.any(Date), lastUsedAt: null, revokedAt: null, live: true },
  ]);
  expect(JSON.stringify(listed)).not.toContain(secret.slice(3));
});

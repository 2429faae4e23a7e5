// What a member may read (issue 10), against the real web app, a realtime node, PostgreSQL and Redis: someone who
// joins a group later, or comes back, reads from that moment on (history, search, the conversation's last message,
// a resumed event stream); a deleted message's text is gone from everywhere it was copied to (history, the event
// streams a client resumes from, quotes in replies, search, a re-send of its client id, the stored row).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { openChatTab, type ChatTab } from "../../../../tests/harness/chatTabs.ts";
import { newUser, webClient } from "../../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";
import { createRedis } from "../services/redis.ts";

let web: WebServer;
let realtime: RealtimeServer;
let db: PrismaClient;
let probe: Redis;
const tabs: ChatTab[] = [];

beforeAll(async () => {
  web = await startWeb();
  realtime = await startRealtime({ allowedOrigins: [web.url] });
  db = createDb(process.env.DATABASE_URL!);
  probe = createRedis({ url: process.env.REDIS_URL! }, "history-test-probe");
}, 180_000);

afterAll(async () => {
  await Promise.all(tabs.map((t) => t.close()));
  await Promise.all([web?.stop(), realtime?.stop()]);
  await db?.$disconnect();
  probe?.disconnect();
});

async function tab(user: { id: string; cookie: string }, lastEventId: string | null = null): Promise<ChatTab> {
  const opened = await openChatTab(realtime.wsUrl, web.url, probe, user, lastEventId);
  tabs.push(opened);
  return opened;
}

const send = (t: ChatTab, conversationId: string, body: string, replyToId?: string) =>
  t.client.chat.send.mutate({ conversationId, clientId: randomUUID(), body, ...(replyToId ? { replyToId } : {}) });

test("a member added later reads only from when they joined: history, search and the last message", async () => {
  const [ann, bob, cat] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob"), newUser(web.url, "Cat")]);
  const annWeb = webClient(web.url, ann.cookie);
  const catWeb = webClient(web.url, cat.cookie);
  const group = await annWeb.chat.createGroup.mutate({ title: "Plans", memberIds: [bob.id] });
  const [annTab, bobTab] = await Promise.all([tab(ann), tab(bob)]);
  const before = await send(annTab, group.id, "the surprise party for Cat is on Friday");

  await annWeb.chat.addMembers.mutate({ conversationId: group.id, userIds: [cat.id] });
  const catView = await catWeb.chat.get.query({ conversationId: group.id });
  expect(catView.lastMessage).toBeNull();
  expect(catView.unread).toBe(0);
  expect((await catWeb.chat.history.query({ conversationId: group.id })).messages).toEqual([]);
  expect(await catWeb.chat.search.query({ conversationId: group.id, query: "party" })).toEqual([]);
  expect((await catWeb.chat.list.query()).find((c) => c.id === group.id)?.lastMessage).toBeNull();

  await send(annTab, group.id, "welcome Cat, party planning is done");
  expect((await catWeb.chat.history.query({ conversationId: group.id })).messages.map((m) => m.body)).toEqual(["welcome Cat, party planning is done"]);
  expect((await catWeb.chat.search.query({ conversationId: group.id, query: "party" })).map((m) => m.body)).toEqual(["welcome Cat, party planning is done"]);
  expect((await catWeb.chat.get.query({ conversationId: group.id })).lastMessage?.body).toBe("welcome Cat, party planning is done");
  // the others still read everything
  expect((await webClient(web.url, bob.cookie).chat.history.query({ conversationId: group.id })).messages).toHaveLength(2);

  // a reply quoting what was said before Cat joined shows Cat the reference, not the words
  const catTab = await tab(cat);
  const reply = await send(bobTab, group.id, "Friday is still on", before.id);
  expect(reply.replyTo?.body).toBe("the surprise party for Cat is on Friday");
  const [live] = await catTab.until("message.new", (e) => e.message.id === reply.id);
  expect(live!.message.replyTo).toEqual({ id: before.id, body: "", senderName: "Ann" });
  const catPage = await catWeb.chat.history.query({ conversationId: group.id });
  expect(catPage.messages.find((m) => m.id === reply.id)?.replyTo).toEqual({ id: before.id, body: "", senderName: "Ann" });
  expect(JSON.stringify(catPage)).not.toContain("surprise");
  expect(JSON.stringify(await catWeb.chat.get.query({ conversationId: group.id }))).not.toContain("surprise");
  // nor can Cat quote it
  await expect(send(catTab, group.id, "what party?", before.id)).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
});

test("someone who comes back reads from their return: a stream resumed from before gives nothing older, nor edits of it", async () => {
  const [ann, bob] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob")]);
  const annWeb = webClient(web.url, ann.cookie);
  const bobWeb = webClient(web.url, bob.cookie);
  const group = await annWeb.chat.createGroup.mutate({ title: "Team", memberIds: [bob.id] });
  const [annTab, bobTab] = await Promise.all([tab(ann), tab(bob)]);
  const first = await send(annTab, group.id, "first era");
  await bobTab.until("message.new", (e) => e.message.body === "first era");

  await bobWeb.chat.removeMember.mutate({ conversationId: group.id, userId: bob.id });
  await send(annTab, group.id, "while Bob is gone");
  await annWeb.chat.addMembers.mutate({ conversationId: group.id, userIds: [bob.id] });
  await bobWeb.chat.acceptInvitation.mutate({ conversationId: group.id });
  await annTab.client.chat.edit.mutate({ messageId: first.id, body: "first era, edited later" });
  await send(annTab, group.id, "second era");

  // Bob's stream still holds "first era" from his first membership: a client resuming from the start gets none of it
  const resumed = await tab(bob, "0-0");
  await resumed.until("message.new", (e) => e.message.body === "second era");
  const bodies = resumed.seen.flatMap(({ event }) => ("message" in event ? [event.message.body] : []));
  expect(bodies).toEqual(["second era"]);
  await bobTab.until("message.new", (e) => e.message.body === "second era");
  expect(bobTab.of("message.edited")).toEqual([]);
  expect((await bobWeb.chat.history.query({ conversationId: group.id })).messages.map((m) => m.body)).toEqual(["second era"]);
  expect(await bobWeb.chat.search.query({ conversationId: group.id, query: "era" })).toHaveLength(1);
});

test("a deleted message's text is gone from history, resumed streams, quotes in replies, search, re-sends and the database", async () => {
  const [ann, bob] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob")]);
  const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  const [annTab, bobTab] = await Promise.all([tab(ann), tab(bob)]);
  const secret = "the vault code is 4711";
  const clientId = randomUUID();
  const original = await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId, body: secret });
  const reply = await send(bobTab, dm.id, "got it", original.id);
  expect(reply.replyTo?.body).toBe(secret);
  await bobTab.until("message.new", (e) => e.message.id === reply.id);
  await annTab.client.chat.edit.mutate({ messageId: original.id, body: `${secret}, not 4712` });
  await bobTab.until("message.edited", (e) => e.message.id === original.id);

  await annTab.client.chat.delete.mutate({ messageId: original.id });
  await bobTab.until("message.deleted", (e) => e.message.id === original.id);

  const isScrubbed = (value: unknown) => expect(JSON.stringify(value)).not.toContain("4711");
  // the event streams a client resumes from, and the outbox, no longer hold the message's own text at all (a reply's
  // quote of it stays in the reply's events, scrubbed whenever they are read: below)
  for (const stream of [`chat:user:${ann.id}:events`, `chat:user:${bob.id}:events`, "chat:outbox"]) {
    const entries = await probe.xrange(stream, "-", "+");
    const ofOriginal = entries.filter(([, fields]) => (JSON.parse(fields[1]!) as { m?: { id: string } }).m?.id === original.id);
    // its deletion is there (the outbox may have been trimmed already, once stored)
    if (stream !== "chat:outbox") expect(ofOriginal.length).toBeGreaterThan(0);
    isScrubbed(ofOriginal);
  }
  // a client resuming from before the message: its deletion, with nothing of what it said
  const resumed = await tab(bob, "0-0");
  await resumed.until("message.deleted", (e) => e.message.id === original.id);
  isScrubbed(resumed.seen);
  expect(resumed.of("message.deleted").find((e) => e.message.id === original.id)?.message).toMatchObject({ body: "", deletedAt: expect.any(Date) });
  expect(resumed.of("message.new").find((e) => e.message.id === reply.id)?.message.replyTo).toEqual({ id: original.id, body: "", senderName: "Ann" });

  for (const who of [ann, bob]) {
    const client = webClient(web.url, who.cookie);
    const page = await client.chat.history.query({ conversationId: dm.id });
    isScrubbed(page);
    expect(page.messages.map((m) => m.id)).toEqual([reply.id, original.id]);
    expect(page.messages[1]).toMatchObject({ body: "", deletedAt: expect.any(Date) });
    expect(page.messages[0]!.replyTo).toEqual({ id: original.id, body: "", senderName: "Ann" });
    isScrubbed(await client.chat.get.query({ conversationId: dm.id }));
    expect(await client.chat.search.query({ conversationId: dm.id, query: "vault" })).toEqual([]);
  }
  // the sender's retry of the same client id (a tab that never saw the answer) returns the deleted message
  isScrubbed(await annTab.client.chat.send.mutate({ conversationId: dm.id, clientId, body: secret }));

  // stored: the row has no text; read from PostgreSQL alone, history says the same
  await expect
    .poll(() => db.message.findUnique({ where: { id: original.id }, select: { body: true, deletedAt: true } }), { timeout: 30_000 })
    .toEqual({ body: "", deletedAt: expect.any(Date) });
  await expect.poll(() => probe.hlen(`chat:pending:${dm.id}`), { timeout: 30_000 }).toBe(0);
  isScrubbed(await webClient(web.url, bob.cookie).chat.history.query({ conversationId: dm.id }));
});

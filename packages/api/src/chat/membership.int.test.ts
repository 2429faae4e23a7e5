// Who is in a group, and with whose consent (issue 10), against the real web app, a realtime node, PostgreSQL and
// Redis: someone who left, or who is blocked with the person adding them, is invited instead of added and sees
// nothing of the group until they accept; groups and conversation creation have caps that name themselves.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { openChatTab, type ChatTab } from "../../../../tests/harness/chatTabs.ts";
import { newUser, webClient } from "../../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";
import { createRedis } from "../services/redis.ts";

const MAX_GROUP = 4;
const MAX_PER_HOUR = 3;

let web: WebServer;
let realtime: RealtimeServer;
let probe: Redis;
const tabs: ChatTab[] = [];

beforeAll(async () => {
  const env = { CHAT_MAX_GROUP_MEMBERS: String(MAX_GROUP), CHAT_MAX_CONVERSATIONS_PER_HOUR: String(MAX_PER_HOUR) };
  web = await startWeb({ env });
  realtime = await startRealtime({ env, allowedOrigins: [web.url] });
  probe = createRedis({ url: process.env.REDIS_URL! }, "membership-test-probe");
}, 180_000);

afterAll(async () => {
  await Promise.all(tabs.map((t) => t.close()));
  await Promise.all([web?.stop(), realtime?.stop()]);
  probe?.disconnect();
});

async function tab(user: { id: string; cookie: string }): Promise<ChatTab> {
  const opened = await openChatTab(realtime.wsUrl, web.url, probe, user);
  tabs.push(opened);
  return opened;
}

const send = (t: ChatTab, conversationId: string, body: string) => t.client.chat.send.mutate({ conversationId, clientId: randomUUID(), body });

test("someone who left is invited back, not added: they see only the invitation until they accept, then only what follows", async () => {
  const [ann, bob, cat] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob"), newUser(web.url, "Cat")]);
  const annWeb = webClient(web.url, ann.cookie);
  const bobWeb = webClient(web.url, bob.cookie);
  const group = await annWeb.chat.createGroup.mutate({ title: "Book club", memberIds: [bob.id, cat.id] });
  const [annTab, bobTab] = await Promise.all([tab(ann), tab(bob)]);
  await send(annTab, group.id, "before Bob left");
  await bobTab.until("message.new", (e) => e.message.body === "before Bob left");

  await bobWeb.chat.removeMember.mutate({ conversationId: group.id, userId: bob.id });
  await send(annTab, group.id, "while Bob was away");
  const added = await annWeb.chat.addMembers.mutate({ conversationId: group.id, userIds: [bob.id] });
  expect(added.invited).toEqual([bob.id]);
  expect(added.members.map((m) => m.id)).not.toContain(bob.id);
  await bobTab.until("invitations.changed");

  // Bob sees an invitation, and nothing of the group
  expect(await bobWeb.chat.invitations.query()).toEqual([
    { conversationId: group.id, title: "Book club", invitedBy: { id: ann.id, name: "Ann", isGuest: false }, memberCount: 2, createdAt: expect.any(Date) },
  ]);
  expect((await bobWeb.chat.list.query()).map((c) => c.id)).not.toContain(group.id);
  await expect(bobWeb.chat.history.query({ conversationId: group.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(bobWeb.chat.get.query({ conversationId: group.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(send(bobTab, group.id, "let me in")).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await send(annTab, group.id, "still deciding");
  expect(bobTab.of("message.new").map((e) => e.message.body)).toEqual(["before Bob left"]);

  const joined = await bobWeb.chat.acceptInvitation.mutate({ conversationId: group.id });
  expect(joined.members.map((m) => m.id)).toContain(bob.id);
  expect(joined.lastMessage).toBeNull();
  expect(await bobWeb.chat.invitations.query()).toEqual([]);
  expect((await bobWeb.chat.history.query({ conversationId: group.id })).messages).toEqual([]);
  await send(annTab, group.id, "welcome back");
  await bobTab.until("message.new", (e) => e.message.body === "welcome back");
  expect((await bobWeb.chat.history.query({ conversationId: group.id })).messages.map((m) => m.body)).toEqual(["welcome back"]);
  // accepting twice is not possible
  await expect(bobWeb.chat.acceptInvitation.mutate({ conversationId: group.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
});

test("someone who blocked the adder is invited instead of added, and can decline", async () => {
  const [ann, bob, cat] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob"), newUser(web.url, "Cat")]);
  const annWeb = webClient(web.url, ann.cookie);
  const catWeb = webClient(web.url, cat.cookie);
  await catWeb.user.block.mutate({ userId: ann.id });

  const created = await annWeb.chat.createGroup.mutate({ title: "Picnic", memberIds: [bob.id, cat.id] });
  expect(created.invited).toEqual([cat.id]);
  expect(created.members.map((m) => m.id).sort()).toEqual([ann.id, bob.id].sort());
  expect((await catWeb.chat.list.query()).map((c) => c.id)).not.toContain(created.id);
  expect((await catWeb.chat.invitations.query()).map((i) => i.conversationId)).toEqual([created.id]);

  // adding again renews the invitation, it still does not add
  const group = await annWeb.chat.addMembers.mutate({ conversationId: created.id, userIds: [cat.id] });
  expect(group.invited).toEqual([cat.id]);
  expect(group.members).toHaveLength(2);

  await catWeb.chat.declineInvitation.mutate({ conversationId: created.id });
  expect(await catWeb.chat.invitations.query()).toEqual([]);
  await expect(catWeb.chat.acceptInvitation.mutate({ conversationId: created.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  expect((await annWeb.chat.get.query({ conversationId: created.id })).members).toHaveLength(2);
});

test("a group holds at most CHAT_MAX_GROUP_MEMBERS people, invitations included, and the refusal names the limit", async () => {
  const people = await Promise.all(["Ann", "Bob", "Cat", "Dan", "Eve", "Fay"].map((name) => newUser(web.url, name)));
  const [ann, bob, cat, dan, eve, fay] = people as [(typeof people)[number], ...typeof people];
  const annWeb = webClient(web.url, ann.cookie);
  const full = { data: { code: "BAD_REQUEST" }, message: expect.stringContaining(`at most ${MAX_GROUP} people`) };
  await expect(annWeb.chat.createGroup.mutate({ title: "Too many", memberIds: [bob!.id, cat!.id, dan!.id, eve!.id] })).rejects.toMatchObject(full);

  const group = await annWeb.chat.createGroup.mutate({ title: "Four", memberIds: [bob!.id, cat!.id] });
  // Fay blocked Ann: her invitation holds the last seat
  await webClient(web.url, fay!.cookie).user.block.mutate({ userId: ann.id });
  expect((await annWeb.chat.addMembers.mutate({ conversationId: group.id, userIds: [fay!.id] })).invited).toEqual([fay!.id]);
  await expect(annWeb.chat.addMembers.mutate({ conversationId: group.id, userIds: [dan!.id] })).rejects.toMatchObject(full);
  expect((await annWeb.chat.get.query({ conversationId: group.id })).members).toHaveLength(3);
  // a seat frees up when someone leaves
  await webClient(web.url, cat!.cookie).chat.removeMember.mutate({ conversationId: group.id, userId: cat!.id });
  await annWeb.chat.addMembers.mutate({ conversationId: group.id, userIds: [dan!.id] });
  await webClient(web.url, fay!.cookie).chat.acceptInvitation.mutate({ conversationId: group.id });
  expect((await annWeb.chat.get.query({ conversationId: group.id })).members).toHaveLength(MAX_GROUP);
});

test("an account creates at most CHAT_MAX_CONVERSATIONS_PER_HOUR conversations an hour; opening an existing DM does not count", async () => {
  const people = await Promise.all(["Ann", "Bob", "Cat", "Dan", "Eve"].map((name) => newUser(web.url, name)));
  const [ann, ...others] = people as [(typeof people)[number], ...typeof people];
  const annWeb = webClient(web.url, ann.cookie);
  const dm = await annWeb.chat.createDirect.mutate({ userId: others[0]!.id });
  await annWeb.chat.createGroup.mutate({ title: "One", memberIds: [others[1]!.id] });
  await annWeb.chat.createDirect.mutate({ userId: others[2]!.id });
  // the cap is reached: the existing DM still opens
  expect((await annWeb.chat.createDirect.mutate({ userId: others[0]!.id })).id).toBe(dm.id);
  const limit = { data: { code: "TOO_MANY_REQUESTS" }, message: expect.stringContaining(`at most ${MAX_PER_HOUR} conversations`) };
  await expect(annWeb.chat.createDirect.mutate({ userId: others[3]!.id })).rejects.toMatchObject(limit);
  await expect(annWeb.chat.createGroup.mutate({ title: "Two", memberIds: [others[3]!.id] })).rejects.toMatchObject(limit);
  // someone else may still start one with Ann
  await webClient(web.url, others[3]!.cookie).chat.createDirect.mutate({ userId: ann.id });
});

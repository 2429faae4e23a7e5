// Blocking (issue 10), against the real web app, a realtime node, PostgreSQL and Redis: a block either way stops
// the pair's DM (sending, and opening a new one), calls, and presence; unblocking gives them back; both are in the
// audit log; and block changes are rate-limited.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { openChatTab, type ChatTab } from "../../../../tests/harness/chatTabs.ts";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../../tests/harness/clients.ts";
import { watchOnline as watchOnlineIn } from "../../../../tests/harness/presenceWatch.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";
import { createRedis } from "../services/redis.ts";

let web: WebServer;
let realtime: RealtimeServer;
let db: PrismaClient;
let probe: Redis;
const closing: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  web = await startWeb();
  realtime = await startRealtime({ allowedOrigins: [web.url] });
  db = createDb(process.env.DATABASE_URL!);
  probe = createRedis({ url: process.env.REDIS_URL! }, "blocking-test-probe");
}, 180_000);

afterAll(async () => {
  await Promise.all(closing.map((c) => c.close()));
  await Promise.all([web?.stop(), realtime?.stop()]);
  await db?.$disconnect();
  probe?.disconnect();
});

async function tab(user: { id: string; cookie: string }): Promise<ChatTab> {
  const opened = await openChatTab(realtime.wsUrl, web.url, probe, user);
  closing.push(opened);
  return opened;
}

function socket(user: { cookie: string }): RealtimeConnection {
  const connection = realtimeClient(realtime.wsUrl, { cookie: user.cookie, origin: web.url });
  closing.push(connection);
  return connection;
}

const send = (t: ChatTab, conversationId: string, body: string) => t.client.chat.send.mutate({ conversationId, clientId: randomUUID(), body });

test("after a block, neither can write in their DM or open a new one; unblocking gives both back; both are audited", async () => {
  const [ann, bob] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob")]);
  const annWeb = webClient(web.url, ann.cookie);
  const bobWeb = webClient(web.url, bob.cookie);
  const dm = await bobWeb.chat.createDirect.mutate({ userId: ann.id });
  const [annTab, bobTab] = await Promise.all([tab(ann), tab(bob)]);
  await send(bobTab, dm.id, "hello before");
  await annTab.until("message.new", (e) => e.message.body === "hello before");

  await annWeb.user.block.mutate({ userId: bob.id });
  expect(await annWeb.user.blocked.query()).toEqual([{ id: bob.id, name: "Bob", blockedAt: expect.any(Date) }]);
  // who blocked you is not listed
  expect(await bobWeb.user.blocked.query()).toEqual([]);

  const refused = { data: { code: "FORBIDDEN" }, message: expect.stringMatching(/blocked/) };
  await expect(send(bobTab, dm.id, "can you hear me")).rejects.toMatchObject(refused);
  await expect(send(annTab, dm.id, "nor me")).rejects.toMatchObject(refused);
  await expect(bobWeb.chat.createDirect.mutate({ userId: ann.id })).rejects.toMatchObject(refused);
  await expect(annWeb.chat.createDirect.mutate({ userId: bob.id })).rejects.toMatchObject(refused);
  // the old conversation stays readable
  expect((await annWeb.chat.history.query({ conversationId: dm.id })).messages.map((m) => m.body)).toEqual(["hello before"]);

  await annWeb.user.unblock.mutate({ userId: bob.id });
  await send(bobTab, dm.id, "hello again");
  await annTab.until("message.new", (e) => e.message.body === "hello again");
  expect(annTab.of("message.new").map((e) => e.message.body)).toEqual(["hello before", "hello again"]);
  expect((await bobWeb.chat.createDirect.mutate({ userId: ann.id })).id).toBe(dm.id);

  const audit = await db.auditLog.findMany({ where: { actorId: ann.id, action: { in: ["user.block", "user.unblock"] } }, orderBy: { id: "asc" } });
  expect(audit.map((a) => [a.action, a.targetType, a.targetId])).toEqual([
    ["user.block", "user", bob.id],
    ["user.unblock", "user", bob.id],
  ]);
  expect(audit.every((a) => a.ip)).toBe(true);
});

test("a call in a blocked DM is refused either way, and a group call does not ring the person who blocked the caller", async () => {
  const [ann, bob, cat] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob"), newUser(web.url, "Cat")]);
  const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  const group = await webClient(web.url, bob.cookie).chat.createGroup.mutate({ title: "Three", memberIds: [ann.id, cat.id] });
  const [annTab, bobTab, catTab] = await Promise.all([tab(ann), tab(bob), tab(cat)]);
  await webClient(web.url, ann.cookie).user.block.mutate({ userId: bob.id });

  const refused = { data: { code: "FORBIDDEN" }, message: expect.stringMatching(/blocked/) };
  await expect(bobTab.client.calls.start.mutate({ conversationId: dm.id, kind: "AUDIO" })).rejects.toMatchObject(refused);
  await expect(annTab.client.calls.start.mutate({ conversationId: dm.id, kind: "VIDEO" })).rejects.toMatchObject(refused);

  const call = await bobTab.client.calls.start.mutate({ conversationId: group.id, kind: "AUDIO" });
  await catTab.until("call.ringing", (e) => e.call.id === call.id);
  // Ann's stream is ordered: once the message sent after the call reaches her, a ring would have too
  await send(bobTab, group.id, "after the ring");
  await annTab.until("message.new", (e) => e.message.body === "after the ring");
  expect(annTab.of("call.ringing")).toEqual([]);
  await bobTab.client.calls.cancel.mutate({ callId: call.id });
});

/** A presence.online subscription's snapshots (ids). */
function watchOnline(connection: RealtimeConnection) {
  const watch = watchOnlineIn(connection, 20_000);
  closing.push({ close: async () => watch.stop() });
  return watch;
}

test("people blocked either way do not see each other online, anywhere; after unblocking they do again", async () => {
  const [ann, bob, cat] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob"), newUser(web.url, "Cat")]);
  const annWeb = webClient(web.url, ann.cookie);
  const bobWeb = webClient(web.url, bob.cookie);
  const dm = await annWeb.chat.createDirect.mutate({ userId: bob.id });
  await annWeb.chat.createDirect.mutate({ userId: cat.id });
  const [annSees, bobSees] = [watchOnline(socket(ann)), watchOnline(socket(bob))];
  // Ann's chat page hears presence on its event stream too
  const annTab = await tab(ann);
  /** waits until the last presence event Ann's chat page heard about Bob says `online` */
  const annHearsBobOnline = (online: boolean) =>
    expect
      .poll(
        () =>
          annTab
            .of("presence")
            .filter((e) => e.userId === bob.id)
            .at(-1)?.online,
        { timeout: 20_000 },
      )
      .toBe(online);
  socket(cat);
  await annSees.until((ids) => ids.includes(bob.id) && ids.includes(cat.id));
  await bobSees.until((ids) => ids.includes(ann.id));

  // Bob blocks Ann: both lists drop the other at once, nobody went offline
  await bobWeb.user.block.mutate({ userId: ann.id });
  await annSees.until((ids) => !ids.includes(bob.id) && ids.includes(cat.id));
  await bobSees.until((ids) => !ids.includes(ann.id));
  await annHearsBobOnline(false);
  expect((await annWeb.user.contacts.query()).map((c) => c.id)).toEqual([cat.id]);
  expect((await bobWeb.user.contacts.query()).map((c) => c.id)).toEqual([]);
  const annView = await annWeb.chat.get.query({ conversationId: dm.id });
  expect(annView.members.find((m) => m.id === bob.id)).toMatchObject({ online: false, lastSeenAt: null });
  expect((await bobWeb.chat.get.query({ conversationId: dm.id })).members.find((m) => m.id === ann.id)).toMatchObject({ online: false });

  await bobWeb.user.unblock.mutate({ userId: ann.id });
  await annSees.until((ids) => ids.includes(bob.id));
  await bobSees.until((ids) => ids.includes(ann.id));
  await annHearsBobOnline(true);
  expect((await annWeb.chat.get.query({ conversationId: dm.id })).members.find((m) => m.id === bob.id)).toMatchObject({ online: true });
});

test("blocking yourself or nobody is refused, and block changes are rate-limited with a sentence", async () => {
  const [ann, bob] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob")]);
  const annWeb = webClient(web.url, ann.cookie);
  await expect(annWeb.user.block.mutate({ userId: ann.id })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  await expect(annWeb.user.block.mutate({ userId: randomUUID() })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(annWeb.user.unblock.mutate({ userId: bob.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  // the Block button pressed in two tabs at once: one block, both answered
  expect(await Promise.all([1, 2, 3].map(() => annWeb.user.block.mutate({ userId: bob.id })))).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
  expect(await annWeb.user.blocked.query()).toHaveLength(1);
  await annWeb.user.unblock.mutate({ userId: bob.id });
  let limited: unknown = null;
  for (let i = 0; i < 30 && !limited; i++) {
    await (i % 2 ? annWeb.user.unblock : annWeb.user.block).mutate({ userId: bob.id }).catch((error: unknown) => (limited = error));
  }
  expect(limited).toMatchObject({ data: { code: "TOO_MANY_REQUESTS" }, message: expect.stringMatching(/block changes/) });
});

// Removal means what it says, through the real web app and realtime nodes: the removed person cannot join again
// (on any node, also one started after the removal) until the host lets them back, and loses the meeting's chat
// at once on the sockets they have open. A removed guest's new identity from the same address waits for the host.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { ChatEvent } from "@qualmeet/api";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, realtimeClient, signIn, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { knocking, lobbyPanel, roomEvents } from "./lobbyHelpers.ts";

const REMOVED = "You were removed from this meeting.";
let web: WebServer;
let nodeA: RealtimeServer;
let nodeB: RealtimeServer;
let db: PrismaClient;
const open: RealtimeConnection[] = [];
const nodes: RealtimeServer[] = [];

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb();
  [nodeA, nodeB] = await Promise.all([startRealtime({ allowedOrigins: [web.url] }), startRealtime({ allowedOrigins: [web.url] })]);
  nodes.push(nodeA, nodeB);
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([...nodes.map((n) => n.stop()), web?.stop()]);
  await db?.$disconnect();
});

function connect(at: RealtimeServer, cookie: string): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

/** A socket's chat events as they arrive. */
function chatEvents(connection: RealtimeConnection) {
  const seen: ChatEvent[] = [];
  connection.client.chat.events.subscribe({}, { onData: ({ data }) => void seen.push(data) });
  return {
    seen,
    bodies: () => seen.flatMap((e) => (e.type === "message.new" ? [e.message.body] : [])),
  };
}

test("a removed participant loses the meeting's chat at once and cannot join again on any node until the host lets them back", async () => {
  const host = await newUser(web.url, "Hosting Hal");
  const rita = await newUser(web.url, "Removed Rita");
  const hostWeb = webClient(web.url, host.cookie);
  // a P2P mesh meeting (the default for a few people)
  const meeting = await hostWeb.meeting.create.mutate({ title: "Removal" });
  const hostConn = connect(nodeA, host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const panel = lobbyPanel(hostConn, meeting.code);
  const ritaConn = connect(nodeB, rita.cookie);
  const r = await ritaConn.client.room.join.mutate({ code: meeting.code });
  const ritaRoom = roomEvents(ritaConn, meeting.id, r.self.peerId, r.lastEventId);

  const chat = await hostConn.client.chat.meetingConversation.mutate({ meetingId: meeting.id });
  await ritaConn.client.chat.meetingConversation.mutate({ meetingId: meeting.id });
  const hostChat = chatEvents(hostConn);
  const ritaChat = chatEvents(ritaConn);
  await expect
    .poll(async () => {
      await hostConn.client.chat.send.mutate({ conversationId: chat.id, clientId: randomUUID(), body: "before" });
      return ritaChat.bodies().includes("before");
    })
    .toBe(true);

  await hostConn.client.room.removeParticipant.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: r.self.peerId });
  // her page is told why, and her event stream ends
  await ritaRoom.saw("removed", (e) => e.message === REMOVED);
  await expect.poll(() => ritaRoom.ended()).toBe(true);
  // her open chat subscription is told she left the conversation, and hears nothing more of it
  await expect.poll(() => ritaChat.seen.some((e) => e.type === "conversation.removed" && e.conversationId === chat.id)).toBe(true);
  await hostConn.client.chat.send.mutate({ conversationId: chat.id, clientId: randomUUID(), body: "after" });
  await expect.poll(() => hostChat.bodies()).toContain("after");
  expect(ritaChat.bodies()).not.toContain("after");
  await expect(ritaConn.client.chat.send.mutate({ conversationId: chat.id, clientId: randomUUID(), body: "let me back" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(webClient(web.url, rita.cookie).chat.history.query({ conversationId: chat.id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(ritaConn.client.chat.meetingConversation.mutate({ meetingId: meeting.id })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

  // joining again is refused on both nodes, and on a node started after the removal (PostgreSQL remembers it)
  const nodeC = await startRealtime({ allowedOrigins: [web.url] });
  nodes.push(nodeC);
  for (const at of [nodeA, nodeB, nodeC]) {
    const again = connect(at, rita.cookie);
    await expect(again.client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: REMOVED });
    expect(await knocking(again, meeting.code).told("removed")).toEqual({ state: "removed", message: REMOVED });
  }

  // the host sees her among the removed and lets her back: she joins and chats again
  await panel.shows((v) => v.removed.some((p) => p.userId === rita.id && p.displayName === "Removed Rita"));
  await hostWeb.meeting.allowBack.mutate({ code: meeting.code, userId: rita.id });
  await panel.shows((v) => v.removed.length === 0);
  const back = connect(nodeC, rita.cookie);
  await back.client.room.join.mutate({ code: meeting.code });
  expect((await back.client.chat.meetingConversation.mutate({ meetingId: meeting.id })).id).toBe(chat.id);
  await back.client.chat.send.mutate({ conversationId: chat.id, clientId: randomUUID(), body: "thanks" });
  await expect.poll(() => hostChat.bodies()).toContain("thanks");

  const audit = await db.auditLog.findMany({ where: { targetId: rita.id, action: { startsWith: "meeting." } }, orderBy: { id: "asc" } });
  expect(audit.map((e) => e.action)).toEqual(["meeting.removeParticipant", "meeting.allowBack"]);
  expect(audit[1]).toMatchObject({ actorId: host.id, data: { meetingId: meeting.id } });
});

test("removing one of someone's tabs removes all of them; a removed guest's new guest identity from the same address waits for the host", async () => {
  const host = await newUser(web.url, "Hosting Hope");
  const hostWeb = webClient(web.url, host.cookie);
  const meeting = await hostWeb.meeting.create.mutate({ title: "Guests" });
  const hostConn = connect(nodeA, host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const panel = lobbyPanel(hostConn, meeting.code);
  const guest = await signIn(web.url, { name: "Guest Gil" }, "guest");
  const tabs = [connect(nodeA, guest.cookie), connect(nodeB, guest.cookie)];
  const joined = await Promise.all(tabs.map((t) => t.client.room.join.mutate({ code: meeting.code })));
  const rooms = tabs.map((t, i) => roomEvents(t, meeting.id, joined[i]!.self.peerId, joined[i]!.lastEventId));
  await hostConn.client.room.removeParticipant.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: joined[0]!.self.peerId });
  for (const room of rooms) await room.saw("removed");

  // a fresh guest session from the same address: not refused (it may be a colleague), but held for the host
  const newIdentity = await signIn(web.url, { name: "Not Gil" }, "guest");
  const held = knocking(connect(nodeB, newIdentity.cookie), meeting.code);
  await held.told("waiting");
  const view = await panel.shows((v) => v.waiting.some((w) => w.displayName === "Not Gil"));
  expect(view.lobbyEnabled).toBe(false);
  await hostWeb.meeting.deny.mutate({ code: meeting.code, userId: view.waiting[0]!.userId });
  await held.told("denied");
  // an account from that address is not held: only new guest identities are
  const colleague = await newUser(web.url, "Colleague Cy");
  await knocking(connect(nodeB, colleague.cookie), meeting.code).told("admitted");
});

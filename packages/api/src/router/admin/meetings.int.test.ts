// The console's Meetings section through the real web app and two realtime nodes: a live meeting listed with its
// people, node and mode; an admin removing someone (told, out of the meeting, refused on the same link on every
// node) and ending the meeting (everyone in it sees it end), each with its reason in the audit log; unknown ids.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { roomEvents } from "../../../../../apps/realtime/src/lobbyHelpers.ts";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../../../tests/harness/clients.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../../tests/harness/servers.ts";

const REMOVED = "You were removed from this meeting.";
let web: WebServer;
let nodeA: RealtimeServer;
let nodeB: RealtimeServer;
let db: PrismaClient;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb();
  [nodeA, nodeB] = await Promise.all([startRealtime({ allowedOrigins: [web.url] }), startRealtime({ allowedOrigins: [web.url] })]);
}, 180_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([nodeA?.stop(), nodeB?.stop(), web?.stop()]);
  await db?.$disconnect();
});

function connect(at: RealtimeServer, cookie: string): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

async function newAdmin(name: string) {
  const person = await newUser(web.url, name);
  await db.user.update({ where: { id: person.id }, data: { role: "ADMIN" } });
  return { ...person, api: webClient(web.url, person.cookie).admin };
}

/** A live meeting: its host on node A, a participant on node B, each with their room events. */
async function liveMeeting(title: string) {
  const host = await newUser(web.url, `Host of ${title}`);
  const guestOfHonour = await newUser(web.url, `Rita of ${title}`);
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title });
  const hostConn = connect(nodeA, host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const ritaConn = connect(nodeB, guestOfHonour.cookie);
  const r = await ritaConn.client.room.join.mutate({ code: meeting.code });
  return {
    meeting,
    host,
    rita: guestOfHonour,
    hostRoom: roomEvents(hostConn, meeting.id, h.self.peerId, h.lastEventId),
    ritaRoom: roomEvents(ritaConn, meeting.id, r.self.peerId, r.lastEventId),
    ritaPeerId: r.self.peerId,
  };
}

test("an admin sees a live meeting's people, node and mode, removes one of them, then ends it for everyone", async () => {
  const admin = await newAdmin("Moderating Mo");
  const live = await liveMeeting(`Standup ${randomUUID().slice(0, 6)}`);
  const nodeIds = await Promise.all([nodeA, nodeB].map(async (n) => (await healthDetails(n)).nodeId));

  const listed = (await admin.api.meetings.live.query({ limit: 100 })).items.find((m) => m.id === live.meeting.id);
  expect(listed).toMatchObject({ code: live.meeting.code, title: live.meeting.title, host: { id: live.host.id }, mode: "P2P" });
  expect(nodeIds).toContain(listed!.node);
  expect(listed!.startedAt).toBeInstanceOf(Date);
  expect(listed!.participants.map((p) => p.userId).sort()).toEqual([live.host.id, live.rita.id].sort());

  expect(await admin.api.meetings.removeParticipant.mutate({ meetingId: live.meeting.id, userId: live.rita.id, reason: "Shouting at everyone" })).toEqual({
    ok: true,
    tookOut: true,
  });
  // she is told, her stream ends, and everyone else sees her leave as removed
  await live.ritaRoom.saw("removed", (e) => e.message === REMOVED);
  await expect.poll(() => live.ritaRoom.ended(), { timeout: 15_000 }).toBe(true);
  await live.hostRoom.saw("peer.left", (e) => e.peerId === live.ritaPeerId && e.reason === "removed");
  // the same link no longer lets her in, on either node
  for (const at of [nodeA, nodeB]) {
    await expect(connect(at, live.rita.cookie).client.room.join.mutate({ code: live.meeting.code })).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: REMOVED });
  }
  const afterRemoval = (await admin.api.meetings.live.query({ limit: 100 })).items.find((m) => m.id === live.meeting.id);
  expect(afterRemoval!.participants.map((p) => p.userId)).toEqual([live.host.id]);

  await admin.api.meetings.end.mutate({ meetingId: live.meeting.id, reason: "Abuse reported by several people" });
  await live.hostRoom.saw("meeting.ended");
  await expect.poll(() => live.hostRoom.ended(), { timeout: 15_000 }).toBe(true);
  expect((await db.meeting.findUniqueOrThrow({ where: { id: live.meeting.id } })).status).toBe("ENDED");
  expect((await admin.api.meetings.live.query({ limit: 100 })).items.some((m) => m.id === live.meeting.id)).toBe(false);
  await expect(admin.api.meetings.end.mutate({ meetingId: live.meeting.id, reason: "Twice" })).rejects.toMatchObject({ data: { code: "PRECONDITION_FAILED" } });

  const audit = await db.auditLog.findMany({ where: { actorId: admin.id, action: { startsWith: "admin." } }, orderBy: { id: "asc" } });
  expect(audit).toEqual([
    expect.objectContaining({
      action: "admin.meeting.removeParticipant",
      targetType: "user",
      targetId: live.rita.id,
      ip: expect.any(String),
      data: { meetingId: live.meeting.id, reason: "Shouting at everyone" },
    }),
    expect.objectContaining({ action: "admin.meeting.end", targetType: "meeting", targetId: live.meeting.id, data: { reason: "Abuse reported by several people" } }),
  ]);
});

test("unknown meetings and people not in the meeting are NOT_FOUND, and nothing is written", async () => {
  const admin = await newAdmin("Careful Cat");
  const live = await liveMeeting(`Review ${randomUUID().slice(0, 6)}`);
  const nobody = randomUUID();
  const reason = "Checking unknown ids";
  await expect(admin.api.meetings.end.mutate({ meetingId: nobody, reason })).rejects.toMatchObject({ data: { code: "NOT_FOUND" }, message: "There is no meeting with this id." });
  await expect(admin.api.meetings.removeParticipant.mutate({ meetingId: nobody, userId: live.rita.id, reason })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  await expect(admin.api.meetings.removeParticipant.mutate({ meetingId: live.meeting.id, userId: admin.id, reason })).rejects.toMatchObject({
    data: { code: "NOT_FOUND" },
    message: "That person is not in this meeting.",
  });
  await expect(admin.api.meetings.removeParticipant.mutate({ meetingId: "nope", userId: live.rita.id, reason })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
  expect(await db.auditLog.count({ where: { actorId: admin.id, action: { startsWith: "admin." } } })).toBe(0);
  expect(await db.meetingRemoval.count({ where: { meetingId: live.meeting.id } })).toBe(0);
});

// Meetings end by themselves (issue 10): one with nobody in it after MEETING_IDLE_END_MS (on any node, also one
// started after the meeting emptied), one made for a call from a conversation when its call ends. An ended
// meeting's code no longer joins. Real PostgreSQL, Redis and realtime nodes, no browser.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb } from "@qualmeet/db";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

/** short, so the test sees meetings end; long enough that a meeting made by a test is joined before it passes */
const IDLE_MS = 3000;
let web: WebServer;
let node: RealtimeServer;
const open: RealtimeConnection[] = [];
const db = createDb(process.env.DATABASE_URL!);

const startNode = () => startRealtime({ allowedOrigins: [web.url], env: { MEETING_IDLE_END_MS: String(IDLE_MS) } });

beforeAll(async () => {
  web = await startWeb();
  node = await startNode();
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop(), db.$disconnect()]);
});

function connect(cookie: string): RealtimeConnection {
  const connection = realtimeClient(node.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

/** Why the meeting ended, as the audit log has it (an operator reads it there). */
async function endReason(meetingCode: string): Promise<unknown> {
  const meeting = await db.meeting.findUniqueOrThrow({ where: { code: meetingCode } });
  const entry = await db.auditLog.findFirst({ where: { action: "meeting.end", targetId: meeting.id } });
  return (entry?.data as { reason?: string } | null)?.reason;
}

const statusOf = async (cookie: string, code: string) => (await webClient(web.url, cookie).meeting.get.query({ code })).status;
const ended = { data: { code: "PRECONDITION_FAILED" }, message: "This meeting has ended." };

test("an emptied meeting ends after the idle time and its code no longer joins; one with someone in it goes on", async () => {
  const host = await newUser(web.url, "Idle Ida");
  const occupied = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Occupied" });
  const stay = await connect(host.cookie).client.room.join.mutate({ code: occupied.code });
  const emptied = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Emptied" });
  const leaver = connect(host.cookie);
  const left = await leaver.client.room.join.mutate({ code: emptied.code });
  await leaver.client.room.leave.mutate({ meetingId: emptied.id, peerId: left.self.peerId });
  // made for later: nobody has joined it yet
  const forNextWeek = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Next week" });

  await expect.poll(() => statusOf(host.cookie, emptied.code), { timeout: IDLE_MS * 5, interval: 200 }).toBe("ENDED");
  await expect(connect(host.cookie).client.room.join.mutate({ code: emptied.code })).rejects.toMatchObject(ended);
  // swept as often, and older than the idle time by now: someone is in it
  expect(await statusOf(host.cookie, occupied.code)).toBe("LIVE");
  const guest = await newUser(web.url, "Guest Gil");
  const joined = await connect(guest.cookie).client.room.join.mutate({ code: occupied.code });
  expect(joined.peers.map((p) => p.peerId)).toEqual([stay.self.peerId]);
  // the link made for later still joins, however long it waited
  expect(await statusOf(host.cookie, forNextWeek.code)).toBe("SCHEDULED");
  await expect(connect(host.cookie).client.room.join.mutate({ code: forNextWeek.code })).resolves.toMatchObject({ self: { displayName: "Idle Ida", isHost: true } });
}, 60_000);

test("a meeting that emptied while no node ran ends once one starts", async () => {
  const host = await newUser(web.url, "Restart Rae");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Left before the restart" });
  const tab = connect(host.cookie);
  const joined = await tab.client.room.join.mutate({ code: meeting.code });
  await tab.client.room.leave.mutate({ meetingId: meeting.id, peerId: joined.self.peerId });
  await node.stop();
  node = await startNode();
  await expect.poll(() => statusOf(host.cookie, meeting.code), { timeout: IDLE_MS * 5, interval: 200 }).toBe("ENDED");
  await expect(connect(host.cookie).client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject(ended);
}, 60_000);

test("a call's meeting ends with the call: cancelled before an answer, or answered and left by everyone", async () => {
  const [ann, bob] = [await newUser(web.url, "Ann Caller"), await newUser(web.url, "Bob Callee")];
  const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  const annTab = connect(ann.cookie);
  const bobTab = connect(bob.cookie);

  const cancelled = await annTab.client.calls.start.mutate({ conversationId: dm.id, kind: "AUDIO" });
  await annTab.client.room.join.mutate({ code: cancelled.meetingCode });
  await annTab.client.calls.cancel.mutate({ callId: cancelled.id });
  expect(await statusOf(ann.cookie, cancelled.meetingCode)).toBe("ENDED");
  expect(await endReason(cancelled.meetingCode)).toBe("call ended");
  await expect(bobTab.client.room.join.mutate({ code: cancelled.meetingCode })).rejects.toMatchObject(ended);

  const answered = await annTab.client.calls.start.mutate({ conversationId: dm.id, kind: "VIDEO" });
  await bobTab.client.calls.accept.mutate({ callId: answered.id });
  const inCall = await Promise.all([annTab, bobTab].map((t) => t.client.room.join.mutate({ code: answered.meetingCode })));
  for (const [i, t] of [annTab, bobTab].entries()) await t.client.room.leave.mutate({ meetingId: inCall[i]!.meeting.id, peerId: inCall[i]!.self.peerId });
  // the call ends when its meeting empties (a sweep every few seconds), and the meeting with it
  await expect.poll(() => statusOf(ann.cookie, answered.meetingCode), { timeout: 20_000, interval: 200 }).toBe("ENDED");
  // by the call's end, not by the idle sweep that would have come too
  expect(await endReason(answered.meetingCode)).toBe("call ended");
  await expect(connect(bob.cookie).client.room.join.mutate({ code: answered.meetingCode })).rejects.toMatchObject(ended);
}, 60_000);

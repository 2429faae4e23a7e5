// What the audit log keeps of security events, through the real web app and realtime node: a failed sign-in
// (with the address, and the account only when it exists) and a host removing a participant.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, realtimeClient, signIn, uniqueEmail, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
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

const entries = (action: string, targetId: string | null) => db.auditLog.findMany({ where: { action, targetId }, orderBy: { id: "asc" } });

test("a failed sign-in is logged with the address, naming the account only when it exists", async () => {
  const user = await newUser(web.url, "Audited Ada");
  expect((await signIn(web.url, { email: user.email, password: "not the password" })).ok).toBe(false);
  const failed = await entries("user.signInFailed", user.id);
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ actorId: null, targetType: "user", ip: expect.stringMatching(/\S/) });

  const before = await db.auditLog.count({ where: { action: "user.signInFailed", targetId: null } });
  expect((await signIn(web.url, { email: uniqueEmail(), password: "whatever it is" })).ok).toBe(false);
  expect(await db.auditLog.count({ where: { action: "user.signInFailed", targetId: null } })).toBe(before + 1);
});

test("a host removing a participant is logged with who, whom, the meeting and the address", async () => {
  const host = await newUser(web.url, "Hosting Hal");
  const guest = await newUser(web.url, "Removed Rita");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Audit", maxParticipants: 5 });
  const [hostConn, guestConn] = [host, guest].map((u) => realtimeClient(node.wsUrl, { cookie: u.cookie, origin: web.url }));
  open.push(hostConn!, guestConn!);
  const h = await hostConn!.client.room.join.mutate({ code: meeting.code });
  const g = await guestConn!.client.room.join.mutate({ code: meeting.code });
  await hostConn!.client.room.removeParticipant.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: g.self.peerId });
  await expect.poll(() => entries("meeting.removeParticipant", guest.id)).toHaveLength(1);
  expect((await entries("meeting.removeParticipant", guest.id))[0]).toMatchObject({
    actorId: host.id,
    targetType: "user",
    data: { meetingId: meeting.id, peerId: g.self.peerId },
    ip: expect.stringMatching(/\S/),
  });
});

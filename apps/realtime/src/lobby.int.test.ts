// The host's lock and lobby through the real web app and two realtime nodes on one Redis: the host watches the
// lobby on one node, newcomers ask to join on the other, and the host's decisions (over HTTP) reach them there.
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, realtimeClient, signIn, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { knocking, lobbyPanel, roomEvents } from "./lobbyHelpers.ts";

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

const actions = async (meetingId: string) =>
  (await db.auditLog.findMany({ where: { OR: [{ targetId: meetingId }, { data: { path: ["meetingId"], equals: meetingId } }] }, orderBy: { id: "asc" } })).map((e) => e.action);

/** A host in a new meeting on node A (an SFU meeting when `sfu`), with their lobby panel open. */
async function hostedMeeting(options: { lobbyEnabled?: boolean; sfu?: boolean } = {}) {
  const host = await newUser(web.url, "Hosting Hana");
  const hostWeb = webClient(web.url, host.cookie);
  const meeting = await hostWeb.meeting.create.mutate({ title: "Lobby", lobbyEnabled: options.lobbyEnabled, p2pMaxParticipants: options.sfu ? 0 : undefined });
  const hostConn = connect(nodeA, host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const hostEvents = roomEvents(hostConn, meeting.id, h.self.peerId, h.lastEventId);
  const panel = lobbyPanel(hostConn, meeting.code);
  return { host, hostWeb, meeting, hostConn, h, hostEvents, panel };
}

test("with the lobby on, a newcomer on another node waits; the host sees them, lets them in, and they join without asking again; a denied one is told", async () => {
  const { hostWeb, meeting, hostEvents, panel } = await hostedMeeting({ sfu: true });
  expect(meeting).toMatchObject({ locked: false, lobbyEnabled: false });
  // during the meeting: the host turns the lobby on, and the setting is remembered on the meeting
  await hostWeb.meeting.setAccess.mutate({ code: meeting.code, lobbyEnabled: true });
  await panel.shows((v) => v.lobbyEnabled && !v.locked && v.waiting.length === 0);
  expect(await hostWeb.meeting.get.query({ code: meeting.code })).toMatchObject({ lobbyEnabled: true, locked: false });

  const newcomer = await newUser(web.url, "Newcomer Nia");
  const newcomerConn = connect(nodeB, newcomer.cookie);
  // joining without asking is refused while the lobby is on
  await expect(newcomerConn.client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: expect.stringMatching(/lobby/) });
  const nia = knocking(newcomerConn, meeting.code);
  await nia.told("waiting");
  await panel.shows((v) => v.waiting.some((w) => w.userId === newcomer.id && w.displayName === "Newcomer Nia" && !w.isGuest));

  await hostWeb.meeting.admit.mutate({ code: meeting.code, userId: newcomer.id });
  await nia.told("admitted");
  await expect.poll(() => nia.completed()).toBe(true);
  const joined = await newcomerConn.client.room.join.mutate({ code: meeting.code });
  await hostEvents.saw("peer.joined", (e) => e.peer.peerId === joined.self.peerId);
  await panel.shows((v) => v.waiting.length === 0);

  const guest = await signIn(web.url, { name: "Denied Dan" }, "guest");
  const dan = knocking(connect(nodeB, guest.cookie), meeting.code);
  await dan.told("waiting");
  const waitingDan = await panel.shows((v) => v.waiting.some((w) => w.displayName === "Denied Dan" && w.isGuest));
  await hostWeb.meeting.deny.mutate({ code: meeting.code, userId: waitingDan.waiting[0]!.userId });
  expect(await dan.told("denied")).toEqual({ state: "denied", message: "The host did not let you in to this meeting." });
  await panel.shows((v) => v.waiting.length === 0);
  // a decision about someone no longer waiting is refused, not silently taken
  await expect(hostWeb.meeting.admit.mutate({ code: meeting.code, userId: waitingDan.waiting[0]!.userId })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });

  await expect.poll(() => actions(meeting.id)).toEqual(expect.arrayContaining(["meeting.lobbyOn", "meeting.lobbyAdmit", "meeting.lobbyDeny"]));
});

test("the host is never held in their own lobby, and someone let in before comes back without waiting (reload)", async () => {
  const { host, meeting, hostConn, h } = await hostedMeeting({ lobbyEnabled: true });
  // the host's other tab, on the other node
  const hostAgain = knocking(connect(nodeB, host.cookie), meeting.code);
  await hostAgain.told("admitted");

  const member = await newUser(web.url, "Member Mo");
  const memberConn = connect(nodeB, member.cookie);
  const mo = knocking(memberConn, meeting.code);
  await mo.told("waiting");
  await webClient(web.url, host.cookie).meeting.admit.mutate({ code: meeting.code, userId: member.id });
  await mo.told("admitted");
  const first = await memberConn.client.room.join.mutate({ code: meeting.code });
  await memberConn.client.room.leave.mutate({ meetingId: meeting.id, peerId: first.self.peerId });
  // a reload: asked again, let in at once
  await knocking(memberConn, meeting.code).told("admitted");
  await memberConn.client.room.join.mutate({ code: meeting.code });
  await hostConn.client.room.leave.mutate({ meetingId: meeting.id, peerId: h.self.peerId });
});

test("a locked meeting refuses anyone new, on every node; people already let in and the host still come back; unlocking opens it again", async () => {
  const { host, hostWeb, meeting, panel } = await hostedMeeting();
  const member = await newUser(web.url, "Early Eve");
  const memberConn = connect(nodeB, member.cookie);
  const early = await memberConn.client.room.join.mutate({ code: meeting.code });

  await hostWeb.meeting.setAccess.mutate({ code: meeting.code, locked: true });
  await panel.shows((v) => v.locked);
  const late = await newUser(web.url, "Late Lou");
  for (const at of [nodeA, nodeB]) {
    const lateConn = connect(at, late.cookie);
    await expect(lateConn.client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: "This meeting is locked by the host." });
    expect(await knocking(lateConn, meeting.code).told("locked")).toEqual({ state: "locked", message: "This meeting is locked by the host." });
  }
  // the one already in reloads; the host's second tab joins
  await memberConn.client.room.leave.mutate({ meetingId: meeting.id, peerId: early.self.peerId });
  await memberConn.client.room.join.mutate({ code: meeting.code });
  await connect(nodeB, host.cookie).client.room.join.mutate({ code: meeting.code });

  await hostWeb.meeting.setAccess.mutate({ code: meeting.code, locked: false });
  await connect(nodeB, late.cookie).client.room.join.mutate({ code: meeting.code });
  await expect.poll(() => actions(meeting.id)).toEqual(expect.arrayContaining(["meeting.lock", "meeting.unlock"]));
});

test("only the host changes the lock and the lobby or decides; the lobby keeps one entry per person and lets everyone in when turned off", async () => {
  const { meeting, hostWeb, panel } = await hostedMeeting({ lobbyEnabled: true });
  const other = await newUser(web.url, "Other Olga");
  const otherWeb = webClient(web.url, other.cookie);
  await expect(otherWeb.meeting.setAccess.mutate({ code: meeting.code, locked: true })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  await expect(otherWeb.meeting.admit.mutate({ code: meeting.code, userId: other.id })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  const panelRefusal = await new Promise<string>((resolve) => {
    connect(nodeB, other.cookie).client.lobby.watch.subscribe({ code: meeting.code }, { onData: () => resolve("shown the lobby"), onError: (error) => resolve(error.message) });
  });
  expect(panelRefusal).toBe("Only the host can see who waits to join.");

  // two tabs of one person: one entry
  const tabs = [knocking(connect(nodeA, other.cookie), meeting.code), knocking(connect(nodeB, other.cookie), meeting.code)];
  for (const t of tabs) await t.told("waiting");
  await panel.shows((v) => v.waiting.length === 1);
  // someone who gives up (closes the page) leaves the lobby
  const quitter = await newUser(web.url, "Quitting Quinn");
  const quinn = knocking(connect(nodeB, quitter.cookie), meeting.code);
  await panel.shows((v) => v.waiting.length === 2);
  quinn.sub.unsubscribe();
  await panel.shows((v) => v.waiting.length === 1 && v.waiting[0]!.userId === other.id);

  await hostWeb.meeting.setAccess.mutate({ code: meeting.code, lobbyEnabled: false });
  await tabs[1]!.told("admitted");
  await panel.shows((v) => !v.lobbyEnabled && v.waiting.length === 0);
});

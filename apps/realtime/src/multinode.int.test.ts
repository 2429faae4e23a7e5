// One meeting spread over two realtime nodes on one Redis: calls forwarded to the media owner, events across
// nodes, a killed socket node taken over, and a drained owner handing the meeting to the other node.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { MeetingEvent } from "@qualmeet/api";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
const nodes: RealtimeServer[] = [];
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  web = await startWeb();
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([...nodes.map((n) => n.stop()), web?.stop()]);
});

async function node(): Promise<RealtimeServer> {
  const started = await startRealtime({ allowedOrigins: [web.url] });
  nodes.push(started);
  return started;
}

function connect(at: RealtimeServer, cookie: string): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

async function health(at: RealtimeServer) {
  return healthDetails(at);
}

function eventsOf(connection: RealtimeConnection, meetingId: string, peerId: string, lastEventId?: string) {
  const seen: MeetingEvent[] = [];
  const sub = connection.client.room.events.subscribe({ meetingId, peerId, lastEventId }, { onData: ({ data }) => void seen.push(data) });
  return {
    sub,
    seen,
    async until<T extends MeetingEvent["type"]>(type: T, where: (e: Extract<MeetingEvent, { type: T }>) => boolean = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find((e) => e.type === type && where(e as Extract<MeetingEvent, { type: T }>));
        if (found) return found as Extract<MeetingEvent, { type: T }>;
        if (Date.now() > deadline) throw new Error(`no ${type}; saw ${seen.map((e) => e.type).join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const opus = { mid: "0", codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 5555 }], rtcp: { cname: "multi" } };

test("participants on different nodes share one room on its media owner; a killed socket node is survived; a drained owner hands over", async () => {
  const [a, b, c] = [await node(), await node(), await node()];
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Spread", p2pMaxParticipants: 0 });

  // the host joins through node A; a guest of the meeting joins through node B
  const hostConn = connect(a, host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const hostEvents = eventsOf(hostConn, meeting.id, h.self.peerId, h.lastEventId);
  // everyone may share "Listen together" (the roamer does below)
  await hostConn.client.room.setPlaybackAllowed.mutate({ meetingId: meeting.id, peerId: h.self.peerId, allowed: true });
  const owners = await Promise.all([a, b, c].map(async (n) => ({ n, hosts: (await health(n)).media.rooms.some((r) => r.meetingId === meeting.id) })));
  const owner = owners.filter((o) => o.hosts).map((o) => o.n);
  expect(owner).toHaveLength(1);
  const ownerNode = owner[0]!;
  // a socket node that is not the owner: where the roamer connects
  const roamNode = [a, b, c].find((n) => n !== ownerNode && n !== a) ?? [a, b, c].find((n) => n !== ownerNode)!;

  const roamer = await newUser(web.url, "Roamer");
  const roamerConn = connect(roamNode, roamer.cookie);
  const r = await roamerConn.client.room.join.mutate({ code: meeting.code });
  expect(r.peers.map((p) => p.peerId)).toEqual([h.self.peerId]);
  expect((await hostEvents.until("peer.joined", (e) => e.peer.peerId === r.self.peerId)).peer.displayName).toBe("Roamer");

  // media calls from the roamer's node run on the owner
  const ref = { meetingId: meeting.id, peerId: r.self.peerId };
  const send = await roamerConn.client.media.createTransport.mutate({ ...ref, direction: "send" });
  const { producerId } = await roamerConn.client.media.produce.mutate({ ...ref, transportId: send.id, kind: "audio", rtpParameters: opus, source: "mic" });
  expect((await hostEvents.until("producer.new")).producer.producerId).toBe(producerId);
  await roamerConn.client.room.playback.mutate({ ...ref, url: "https://example.com/from-another-node", playing: true, position: 0 });
  expect((await hostEvents.until("playback")).playback.url).toBe("https://example.com/from-another-node");

  // kill -9 the node holding the roamer's socket: the roamer comes back through another node and carries on
  const roamerEvents = eventsOf(roamerConn, meeting.id, r.self.peerId, r.lastEventId);
  await roamerEvents.until("playback");
  await roamNode.stop("SIGKILL");
  const survivor = [a, b, c].find((n) => n !== roamNode && n !== ownerNode) ?? ownerNode;
  const back = connect(survivor, roamer.cookie);
  const resumed = eventsOf(back, meeting.id, r.self.peerId);
  await back.client.room.playback.mutate({ ...ref, url: "https://example.com/back-again", playing: true, position: 0 });
  expect((await hostEvents.until("playback", (e) => e.playback.url === "https://example.com/back-again")).playback.byPeerId).toBe(r.self.peerId);
  // the others never saw the roamer leave (wait past the 5 s grace window)
  await new Promise((resolve) => setTimeout(resolve, 6000));
  expect(hostEvents.seen.some((e) => e.type === "peer.left")).toBe(false);
  hostEvents.sub.unsubscribe();

  // SIGTERM the media owner: the meeting moves to a live node, and the roamer rebuilds its media there
  const started = Date.now();
  await ownerNode.stop("SIGTERM");
  expect((await resumed.until("media.lost")).message).toMatch(/moved/);
  const again = await back.client.room.reconnectMedia.mutate(ref);
  expect(again.routerRtpCapabilities).not.toBeNull();
  expect(again.peers.map((p) => p.peerId)).toContain(r.self.peerId);
  const transport = await back.client.media.createTransport.mutate({ ...ref, direction: "send" });
  await back.client.media.produce.mutate({ ...ref, transportId: transport.id, kind: "audio", rtpParameters: opus, source: "mic" });
  expect(Date.now() - started).toBeLessThan(10_000);
  const live = [a, b, c].filter((n) => n !== ownerNode && n !== roamNode);
  const hosting = await Promise.all(live.map(async (n) => (await health(n)).media.rooms.some((room) => room.meetingId === meeting.id)));
  expect(hosting.filter(Boolean)).toHaveLength(1);
  resumed.sub.unsubscribe();
}, 90_000);

test("signals from a node that does not own the meeting need a participant: one who left or was removed is refused", async () => {
  const [a, b] = [await node(), await node()];
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Edge", p2pMaxParticipants: 8 });
  const hostConn = connect(a, host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const hostEvents = eventsOf(hostConn, meeting.id, h.self.peerId, h.lastEventId);
  // the members connect to the node that does not hold the room
  const edge = (await health(a)).media.rooms.some((r) => r.meetingId === meeting.id) ? b : a;

  const member = await newUser(web.url, "Member");
  const memberConn = connect(edge, member.cookie);
  const m = await memberConn.client.room.join.mutate({ code: meeting.code });
  const memberEvents = eventsOf(memberConn, meeting.id, m.self.peerId, m.lastEventId);
  const ref = { meetingId: meeting.id, peerId: m.self.peerId };
  const offer = { description: { type: "offer" as const, sdp: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n" } };
  await memberConn.client.room.signal.mutate({ ...ref, targetPeerId: h.self.peerId, signal: offer });
  expect((await hostEvents.until("p2p.signal")).fromPeerId).toBe(m.self.peerId);
  await expect(memberConn.client.room.signal.mutate({ ...ref, targetPeerId: "00000000-0000-4000-8000-000000000000", signal: offer })).rejects.toMatchObject({
    data: { code: "NOT_FOUND" },
    message: "That participant is not in the meeting.",
  });
  await memberConn.client.room.signal.mutate({ ...ref, targetPeerId: h.self.peerId, signal: offer });
  expect((await hostEvents.until("p2p.signal")).fromPeerId).toBe(m.self.peerId);

  // removed by the host: told, and from then on refused, on the node that holds the member's socket
  await hostConn.client.room.removeParticipant.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: m.self.peerId });
  await memberEvents.until("removed");
  await expect(memberConn.client.room.signal.mutate({ ...ref, targetPeerId: h.self.peerId, signal: offer })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

  // one who left is refused too
  const leaver = await newUser(web.url, "Leaver");
  const leaverConn = connect(edge, leaver.cookie);
  const l = await leaverConn.client.room.join.mutate({ code: meeting.code });
  const leaverRef = { meetingId: meeting.id, peerId: l.self.peerId };
  // a first signal confirms the leaver to the edge node
  await leaverConn.client.room.signal.mutate({ ...leaverRef, targetPeerId: h.self.peerId, signal: offer });
  await hostEvents.until("p2p.signal", (e) => e.fromPeerId === l.self.peerId);
  await leaverConn.client.room.leave.mutate(leaverRef);
  await expect(leaverConn.client.room.signal.mutate({ ...leaverRef, targetPeerId: h.self.peerId, signal: offer })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  const fromGone = hostEvents.seen.filter((e) => e.type === "p2p.signal" && (e.fromPeerId === m.self.peerId || e.fromPeerId === l.self.peerId));
  // the member's two signals before the removal and the leaver's one before leaving: nothing after
  expect(fromGone).toHaveLength(3);
  hostEvents.sub.unsubscribe();
  memberEvents.sub.unsubscribe();
}, 60_000);

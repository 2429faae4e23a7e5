// A realtime node without a media server (MEDIA_WORKERS=0) keeps every meeting on the P2P mesh, also one set to
// the SFU: its P2P signals are relayed (the SFU-only refusal, meetingPrivacy.int.test.ts, must not reach it).
import { afterAll, beforeAll, expect, test } from "vitest";
import type { MeetingEvent } from "@qualmeet/api";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
let meshOnly: RealtimeServer;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  web = await startWeb();
  meshOnly = await startRealtime({ allowedOrigins: [web.url], env: { MEDIA_WORKERS: "0" } });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([meshOnly?.stop(), web?.stop()]);
});

function connect(cookie: string): RealtimeConnection {
  const connection = realtimeClient(meshOnly.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

test("a meeting set to the SFU runs on the mesh, and its participants' offers and candidates reach each other", async () => {
  const host = await newUser(web.url, "Mesh Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Mesh only", p2pMaxParticipants: 0 });
  const hostConn = connect(host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  expect(h).toMatchObject({ mode: "SFU", routerRtpCapabilities: null });
  const member = await newUser(web.url, "Mesh Member");
  const memberConn = connect(member.cookie);
  const m = await memberConn.client.room.join.mutate({ code: meeting.code });
  const seen: MeetingEvent[] = [];
  const sub = memberConn.client.room.events.subscribe({ meetingId: meeting.id, peerId: m.self.peerId, lastEventId: m.lastEventId }, { onData: ({ data }) => void seen.push(data) });
  const offer = { description: { type: "offer" as const, sdp: "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\n" } };
  const candidate = { candidate: { candidate: "candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 } };
  for (const signal of [offer, candidate]) await hostConn.client.room.signal.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: m.self.peerId, signal });
  await expect
    .poll(() => seen.filter((e) => e.type === "p2p.signal").map((e) => (e as Extract<MeetingEvent, { type: "p2p.signal" }>).signal), { timeout: 10_000 })
    .toEqual([offer, candidate]);
  sub.unsubscribe();
});

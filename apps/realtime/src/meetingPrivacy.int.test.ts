// What a meeting tells whom (issue 10), with real PostgreSQL, Redis and mediasoup, no browser: P2P signals (ICE
// candidates carry addresses) pass only while the media runs on the mesh (a node without a media server:
// meshOnlySignals.int.test.ts);
// only the host, or everyone the host allows, shares "Listen together"; nobody reads the meeting's log from
// before they joined.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MeetingEvent } from "@qualmeet/api";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
let node: RealtimeServer;
const open: RealtimeConnection[] = [];

const SIGNALS_CLOSED = "This meeting runs through the media server: direct (P2P) connections are off, so P2P signals are not relayed.";
const offer = { description: { type: "offer" as const, sdp: "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\n" } };
const candidate = { candidate: { candidate: "candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 } };

beforeAll(async () => {
  web = await startWeb();
  node = await startRealtime({ allowedOrigins: [web.url] });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
});

function connect(cookie: string, at: RealtimeServer = node): RealtimeConnection {
  const connection = realtimeClient(at.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

/** A participant's room events as they arrive; `until` waits for one. */
function eventsOf(connection: RealtimeConnection, meetingId: string, peerId: string, lastEventId?: string) {
  const seen: Array<{ id: string; event: MeetingEvent }> = [];
  const sub = connection.client.room.events.subscribe({ meetingId, peerId, lastEventId }, { onData: ({ id, data }) => void seen.push({ id, event: data }) });
  return {
    sub,
    seen,
    types: () => seen.map((e) => e.event.type),
    async until<T extends MeetingEvent["type"]>(type: T, where: (e: Extract<MeetingEvent, { type: T }>) => boolean = () => true) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = seen.find((e) => e.event.type === type && where(e.event as Extract<MeetingEvent, { type: T }>));
        if (found) return found.event as Extract<MeetingEvent, { type: T }>;
        if (Date.now() > deadline) throw new Error(`no ${type}; saw ${seen.map((e) => e.event.type).join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** A meeting with its host and one member joined (through `at`), and the member's events. */
async function hostAndMember(settings: { p2pMaxParticipants?: number }, at: RealtimeServer = node) {
  const host = await newUser(web.url, "Hosting Hal");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Privacy", ...settings });
  const hostConn = connect(host.cookie, at);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  const member = await newUser(web.url, "Member Mo");
  const memberConn = connect(member.cookie, at);
  const m = await memberConn.client.room.join.mutate({ code: meeting.code });
  const memberEvents = eventsOf(memberConn, meeting.id, m.self.peerId, m.lastEventId);
  const hostRef = { meetingId: meeting.id, peerId: h.self.peerId };
  const memberRef = { meetingId: meeting.id, peerId: m.self.peerId };
  return { host, meeting, hostConn, h, hostRef, member, memberConn, m, memberRef, memberEvents };
}

const share = (connection: RealtimeConnection, ref: { meetingId: string; peerId: string }, marker: string) =>
  connection.client.room.playback.mutate({ ...ref, url: `https://media.example/${marker}.ogg`, playing: true, position: 0 });
const marker = (e: { playback: { url: string | null } }) => e.playback.url?.replace(/^https:\/\/media\.example\/(.*)\.ogg$/, "$1");

describe("P2P signals", () => {
  test("in an SFU meeting nobody's offer or candidate reaches anyone, from the socket's node or the owner, with a clear refusal", async () => {
    const { hostConn, h, hostRef, member, memberConn, m, memberRef, memberEvents } = await hostAndMember({ p2pMaxParticipants: 0 });
    expect(h.mode).toBe("SFU");
    for (const signal of [offer, candidate]) {
      await expect(hostConn.client.room.signal.mutate({ ...hostRef, targetPeerId: m.self.peerId, signal })).rejects.toMatchObject({
        data: { code: "PRECONDITION_FAILED" },
        message: SIGNALS_CLOSED,
      });
    }
    // the member's new socket (a reconnect) is not known to its node yet: the owner answers, with the same refusal
    await memberConn.close();
    const again = connect(member.cookie);
    await expect(again.client.room.signal.mutate({ ...memberRef, targetPeerId: h.self.peerId, signal: offer })).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: SIGNALS_CLOSED,
    });
    // what the member received since joining: the host's shared link after the refused signals, and no signal
    const received = eventsOf(again, memberRef.meetingId, m.self.peerId, m.lastEventId);
    await share(hostConn, hostRef, "after-the-signals");
    expect(marker(await received.until("playback"))).toBe("after-the-signals");
    expect([...memberEvents.types(), ...received.types()]).not.toContain("p2p.signal");
    received.sub.unsubscribe();
  });

  test("a P2P meeting relays them, also while it switches to the SFU (the browsers still move their media)", async () => {
    const { hostConn, h, hostRef, m, memberEvents } = await hostAndMember({ p2pMaxParticipants: 3 });
    expect(h.mode).toBe("P2P");
    await hostConn.client.room.signal.mutate({ ...hostRef, targetPeerId: m.self.peerId, signal: offer });
    expect((await memberEvents.until("p2p.signal")).signal).toEqual(offer);
    await hostConn.client.room.setMeshThreshold.mutate({ ...hostRef, meshThreshold: 0 });
    expect((await memberEvents.until("mode.changed")).mode).toBe("SFU");
    await hostConn.client.room.signal.mutate({ ...hostRef, targetPeerId: m.self.peerId, signal: candidate });
    expect((await memberEvents.until("p2p.signal", (e) => !!e.signal.candidate)).signal).toEqual(candidate);
    memberEvents.sub.unsubscribe();
  });
});

describe("Listen together", () => {
  test("only the host shares until the host lets everyone; the host can take it back", async () => {
    const { hostConn, h, hostRef, memberConn, memberRef, memberEvents } = await hostAndMember({});
    const hostEvents = eventsOf(hostConn, hostRef.meetingId, h.self.peerId, h.lastEventId);
    const hostOnly = { data: { code: "FORBIDDEN" }, message: "Only the host can share or control media in this meeting (the host can let everyone do it)." };
    await expect(share(memberConn, memberRef, "sneaky")).rejects.toMatchObject(hostOnly);
    await expect(memberConn.client.room.setPlaybackAllowed.mutate({ ...memberRef, allowed: true })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await share(hostConn, hostRef, "hosts-pick");
    expect(marker(await memberEvents.until("playback"))).toBe("hosts-pick");

    await hostConn.client.room.setPlaybackAllowed.mutate({ ...hostRef, allowed: true });
    expect((await memberEvents.until("playback.allowed")).allowed).toBe(true);
    await share(memberConn, memberRef, "members-pick");
    expect(marker(await hostEvents.until("playback", (e) => e.playback.byPeerId === memberRef.peerId))).toBe("members-pick");

    await hostConn.client.room.setPlaybackAllowed.mutate({ ...hostRef, allowed: false });
    await memberEvents.until("playback.allowed", (e) => !e.allowed);
    await expect(share(memberConn, memberRef, "too-late")).rejects.toMatchObject(hostOnly);
    // nothing the member was refused reached anyone
    expect(hostEvents.seen.flatMap((e) => (e.event.type === "playback" ? [marker(e.event)] : []))).toEqual(["hosts-pick", "members-pick"]);
    hostEvents.sub.unsubscribe();
    memberEvents.sub.unsubscribe();
  });
});

describe("a late joiner", () => {
  test("reads the meeting from their join on, even when asking for its start or an id from before their join", async () => {
    const { meeting, hostConn, hostRef, memberEvents } = await hostAndMember({});
    await share(hostConn, hostRef, "before-the-late-joiner");
    await memberEvents.until("playback");
    const firstId = memberEvents.seen[0]!.id;
    const late = await newUser(web.url, "Late Lu");
    const lateConn = connect(late.cookie);
    const l = await lateConn.client.room.join.mutate({ code: meeting.code });
    await share(hostConn, hostRef, "after-the-late-joiner");

    for (const lastEventId of ["0-0", firstId]) {
      const events = eventsOf(lateConn, meeting.id, l.self.peerId, lastEventId);
      expect(marker(await events.until("playback"))).toBe("after-the-late-joiner");
      // the first thing they read is their own arrival
      expect(events.seen[0]!.event).toMatchObject({ type: "peer.joined", peer: { peerId: l.self.peerId } });
      expect(events.seen.filter((e) => e.event.type === "playback").map((e) => marker(e.event as Extract<MeetingEvent, { type: "playback" }>))).toEqual(["after-the-late-joiner"]);
      events.sub.unsubscribe();
    }
    memberEvents.sub.unsubscribe();
  });
});

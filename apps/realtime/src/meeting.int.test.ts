// Meeting signaling over the realtime socket with real PostgreSQL, Redis and mediasoup (no browser):
// joining, the room's event stream and its resumption, authorization, capacity, host powers, bad input.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MeetingEvent } from "@qualmeet/api";
import { newUser, realtimeClient, signIn, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

const SIGNALS_PER_10S = 40;
let web: WebServer;
let node: RealtimeServer;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  web = await startWeb();
  node = await startRealtime({ allowedOrigins: [web.url], env: { P2P_RETURN_QUIET_MS: "1000", RATE_LIMIT_SIGNALS_PER_10S: String(SIGNALS_PER_10S) } });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
});

function connect(cookie: string): RealtimeConnection {
  const connection = realtimeClient(node.wsUrl, { cookie, origin: web.url });
  open.push(connection);
  return connection;
}

/** Collects a participant's room events; `next(type)` waits for the next one of that type. */
/** A new meeting with its host joined. */
async function hostJoined(maxParticipants?: number) {
  const { host, meeting } = await meetingWithHost(maxParticipants);
  const hostConn = connect(host.cookie);
  const h = await hostConn.client.room.join.mutate({ code: meeting.code });
  return { host, meeting, hostConn, h };
}

/** A host and two others (`second`, `third`) in a new meeting, and the second one's events. */
async function hostAndTwo(second: string, third: string) {
  const { host, meeting, hostConn, h } = await hostJoined();
  const [b, c] = await Promise.all([second, third].map((n) => newUser(web.url, n)));
  const bConn = connect(b!.cookie);
  const cConn = connect(c!.cookie);
  const bj = await bConn.client.room.join.mutate({ code: meeting.code });
  const cj = await cConn.client.room.join.mutate({ code: meeting.code });
  const bEvents = eventsOf(bConn, meeting.id, bj.self.peerId, bj.lastEventId);
  return { host, meeting, hostConn, h, bConn, bj, cConn, cj, bEvents };
}

/** A shared link ("listen together"): an event every participant receives, named by `marker`. */
function share(connection: RealtimeConnection, ref: { meetingId: string; peerId: string }, marker: string) {
  return connection.client.room.playback.mutate({ ...ref, url: `https://example.com/${marker}`, playing: true, position: 0 });
}
const sharedMarker = (event: { playback: { url: string | null } }) => event.playback.url?.replace("https://example.com/", "");

function eventsOf(connection: RealtimeConnection, meetingId: string, peerId: string, lastEventId?: string) {
  const seen: Array<{ id: string; event: MeetingEvent }> = [];
  const waiters: Array<() => void> = [];
  const sub = connection.client.room.events.subscribe(
    { meetingId, peerId, lastEventId },
    {
      onData: ({ id, data }) => {
        seen.push({ id, event: data });
        waiters.splice(0).forEach((w) => w());
      },
    },
  );
  let cursor = 0;
  return {
    sub,
    seen,
    async next<T extends MeetingEvent["type"]>(
      type: T,
      timeoutMs = 5000,
      where: (event: Extract<MeetingEvent, { type: T }>) => boolean = () => true,
    ): Promise<Extract<MeetingEvent, { type: T }>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = seen.findIndex((e, i) => i >= cursor && e.event.type === type && where(e.event as Extract<MeetingEvent, { type: T }>));
        if (index >= 0) {
          cursor = index + 1;
          return seen[index]!.event as Extract<MeetingEvent, { type: T }>;
        }
        if (Date.now() > deadline) throw new Error(`no ${type} event; saw ${seen.map((e) => e.event.type).join(", ")}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

async function meetingWithHost(maxParticipants = 10) {
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Signaling", maxParticipants });
  return { host, meeting };
}

// A VP8 camera with 3 simulcast layers and an opus microphone, as a browser would describe them.
const vp8Simulcast = {
  mid: "0",
  codecs: [
    {
      mimeType: "video/VP8",
      payloadType: 101,
      clockRate: 90000,
      rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }, { type: "goog-remb" }],
    },
  ],
  headerExtensions: [{ uri: "urn:ietf:params:rtp-hdrext:sdes:mid", id: 1 }],
  encodings: [{ ssrc: 1111, scaleResolutionDownBy: 4 }, { ssrc: 2222, scaleResolutionDownBy: 2 }, { ssrc: 3333 }],
  rtcp: { cname: "test" },
};
const opus = {
  mid: "1",
  codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
  encodings: [{ ssrc: 4444 }],
  rtcp: { cname: "test" },
};

describe("joining", () => {
  test("participants see each other join, with the router's capabilities and who is already there", async () => {
    const { host, meeting } = await meetingWithHost();
    const hostConn = connect(host.cookie);
    const hostJoin = await hostConn.client.room.join.mutate({ code: meeting.code });
    expect(hostJoin).toMatchObject({ meeting: { id: meeting.id, code: meeting.code, title: "Signaling" }, self: { displayName: "Host", isHost: true }, peers: [] });
    expect(hostJoin.routerRtpCapabilities?.codecs?.map((c) => c.mimeType)).toEqual(expect.arrayContaining(["audio/opus", "video/VP8", "video/VP9", "video/H264"]));
    const hostEvents = eventsOf(hostConn, meeting.id, hostJoin.self.peerId, hostJoin.lastEventId);
    expect((await hostEvents.next("peer.joined")).peer.peerId).toBe(hostJoin.self.peerId);

    const guest = await signIn(web.url, { name: "Guest Gwen" }, "guest");
    const guestConn = connect(guest.cookie);
    const guestJoin = await guestConn.client.room.join.mutate({ code: meeting.code.toUpperCase() });
    expect(guestJoin.self).toMatchObject({ displayName: "Guest Gwen", isHost: false, isGuest: true });
    expect(guestJoin.peers.map((p) => p.peerId)).toEqual([hostJoin.self.peerId]);
    expect((await hostEvents.next("peer.joined")).peer).toMatchObject({ peerId: guestJoin.self.peerId, displayName: "Guest Gwen" });

    // the meeting is live while people are in it
    expect((await webClient(web.url, host.cookie).meeting.get.query({ code: meeting.code })).status).toBe("LIVE");

    await guestConn.client.room.leave.mutate({ meetingId: meeting.id, peerId: guestJoin.self.peerId });
    expect(await hostEvents.next("peer.left")).toMatchObject({ peerId: guestJoin.self.peerId, reason: "left" });
    hostEvents.sub.unsubscribe();
  });

  test("an unknown code, a full meeting and an ended meeting are refused with clear messages", async () => {
    const { host, meeting } = await meetingWithHost(2);
    await expect(connect(host.cookie).client.room.join.mutate({ code: "zzzzzzzz" })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
      message: "There is no meeting with the code zzzzzzzz.",
    });
    await connect(host.cookie).client.room.join.mutate({ code: meeting.code });
    const second = await newUser(web.url, "Second");
    await connect(second.cookie).client.room.join.mutate({ code: meeting.code });
    const third = await newUser(web.url, "Third");
    await expect(connect(third.cookie).client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: "This meeting is full.",
    });

    await webClient(web.url, host.cookie).meeting.end.mutate({ code: meeting.code });
    await expect(connect(third.cookie).client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({ message: "This meeting has ended." });
  });

  test("one person joins the same meeting from at most 3 tabs: the 4th is refused with the limit, changes nothing, and others still join", async () => {
    const { host, meeting } = await meetingWithHost();
    const tabs = [1, 2, 3, 4].map(() => connect(host.cookie));
    const joined = [];
    for (const tab of tabs.slice(0, 3)) joined.push(await tab.client.room.join.mutate({ code: meeting.code }));
    await expect(tabs[3]!.client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: "You are already in this meeting from 3 tabs or devices, the most one person may use (limit 3). Leave it in one of them to join here.",
    });
    // someone else on the same machine joins and finds the three tabs, nothing of the refused one
    const neighbour = await newUser(web.url, "Neighbour");
    const theirs = await connect(neighbour.cookie).client.room.join.mutate({ code: meeting.code });
    expect(theirs.peers.map((p) => p.peerId).sort()).toEqual(joined.map((j) => j.self.peerId).sort());
    // a tab that leaves makes room for the 4th
    await tabs[0]!.client.room.leave.mutate({ meetingId: meeting.id, peerId: joined[0]!.self.peerId });
    expect((await tabs[3]!.client.room.join.mutate({ code: meeting.code })).self.isHost).toBe(true);
  });

  test("signed-out sockets cannot join", async () => {
    const { meeting } = await meetingWithHost();
    await expect(connect("").client.room.join.mutate({ code: meeting.code })).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });
});

describe("the room's events", () => {
  test("a shared link reaches everyone, and a resubscription from the last id misses nothing and repeats nothing", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    const hostRef = { meetingId: meeting.id, peerId: h.self.peerId };
    const other = await newUser(web.url, "Olga");
    const otherConn = connect(other.cookie);
    const o = await otherConn.client.room.join.mutate({ code: meeting.code });
    const first = eventsOf(otherConn, meeting.id, o.self.peerId, o.lastEventId);
    await share(hostConn, hostRef, "one");
    const one = await first.next("playback");
    expect(sharedMarker(one)).toBe("one");
    expect(one.playback.byPeerId).toBe(h.self.peerId);
    const lastId = first.seen[first.seen.length - 1]!.id;
    first.sub.unsubscribe();

    // while Olga is not listening
    await share(hostConn, hostRef, "two");
    await share(hostConn, hostRef, "three");
    const resumed = eventsOf(otherConn, meeting.id, o.self.peerId, lastId);
    expect(sharedMarker(await resumed.next("playback"))).toBe("two");
    expect(sharedMarker(await resumed.next("playback"))).toBe("three");
    await share(hostConn, hostRef, "four");
    expect(sharedMarker(await resumed.next("playback"))).toBe("four");
    expect(resumed.seen.flatMap((e) => (e.event.type === "playback" ? [sharedMarker(e.event)] : []))).toEqual(["two", "three", "four"]);
    resumed.sub.unsubscribe();
  });

  test("links that are not http(s) are refused and nothing is broadcast", async () => {
    const { meeting, hostConn: conn, h } = await hostJoined();
    const ref = { meetingId: meeting.id, peerId: h.self.peerId };
    const events = eventsOf(conn, meeting.id, h.self.peerId, h.lastEventId);
    await expect(conn.client.room.playback.mutate({ ...ref, url: "javascript:alert(1)", playing: true, position: 0 })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", field: "url" },
    });
    await expect(conn.client.room.playback.mutate({ ...ref, url: `https://example.com/${"x".repeat(2048)}`, playing: true, position: 0 })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    await share(conn, ref, "fine");
    expect(sharedMarker(await events.next("playback"))).toBe("fine");
    expect(events.seen.filter((e) => e.event.type === "playback")).toHaveLength(1);
    events.sub.unsubscribe();
  });
});

describe("reconnecting", () => {
  test("a dropped socket's participant stays; the user's new socket resumes the events it missed and acts for it", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    const hostEvents = eventsOf(hostConn, meeting.id, h.self.peerId, h.lastEventId);
    await hostConn.client.room.setPlaybackAllowed.mutate({ meetingId: meeting.id, peerId: h.self.peerId, allowed: true });
    const roamer = await newUser(web.url, "Roamer");
    const firstSocket = connect(roamer.cookie);
    const r = await firstSocket.client.room.join.mutate({ code: meeting.code });
    const before = eventsOf(firstSocket, meeting.id, r.self.peerId, r.lastEventId);
    await share(hostConn, { meetingId: meeting.id, peerId: h.self.peerId }, "before-the-drop");
    await before.next("playback");
    const lastId = before.seen[before.seen.length - 1]!.id;
    await firstSocket.close();

    await share(hostConn, { meetingId: meeting.id, peerId: h.self.peerId }, "while-away");
    const secondSocket = connect(roamer.cookie);
    const after = eventsOf(secondSocket, meeting.id, r.self.peerId, lastId);
    expect(sharedMarker(await after.next("playback"))).toBe("while-away");
    await share(secondSocket, { meetingId: meeting.id, peerId: r.self.peerId }, "back");
    expect(sharedMarker(await hostEvents.next("playback", 5000, (e) => e.playback.byPeerId === r.self.peerId))).toBe("back");

    // well past the grace window: nobody saw the roamer leave
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(hostEvents.seen.some((e) => e.event.type === "peer.left")).toBe(false);
    after.sub.unsubscribe();
    hostEvents.sub.unsubscribe();
  });
});

describe("reloading", () => {
  test("a 1:1 reloaded by one side is not full: the dropped socket's participant makes way for the new join", async () => {
    const { meeting, hostConn, h } = await hostJoined(2);
    const hostEvents = eventsOf(hostConn, meeting.id, h.self.peerId, h.lastEventId);
    const other = await newUser(web.url, "Reloader");
    const before = connect(other.cookie);
    const first = await before.client.room.join.mutate({ code: meeting.code });
    await before.close();
    const after = await connect(other.cookie).client.room.join.mutate({ code: meeting.code });
    expect(after.peers.map((p) => p.peerId)).toEqual([h.self.peerId]);
    expect(await hostEvents.next("peer.left", 5000, (e) => e.peerId === first.self.peerId)).toMatchObject({ reason: "left" });
    hostEvents.sub.unsubscribe();
  });
});

describe("P2P mesh and the switch to the SFU", () => {
  test("up to the threshold the room is P2P; the 4th participant switches it to the SFU; it returns to P2P after a quiet period", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    expect(h).toMatchObject({ mode: "P2P", meshThreshold: 3 });
    const hostEvents = eventsOf(hostConn, meeting.id, h.self.peerId, h.lastEventId);
    const others = [];
    for (const name of ["Two", "Three", "Four"]) {
      const user = await newUser(web.url, name);
      const conn = connect(user.cookie);
      others.push({ conn, join: await conn.client.room.join.mutate({ code: meeting.code }) });
    }
    expect(others.map((o) => o.join.mode)).toEqual(["P2P", "P2P", "SFU"]);
    expect(await hostEvents.next("mode.changed")).toMatchObject({ mode: "SFU", meshThreshold: 3 });

    for (const o of others.slice(1)) await o.conn.client.room.leave.mutate({ meetingId: meeting.id, peerId: o.join.self.peerId });
    expect(await hostEvents.next("mode.changed", 5000)).toMatchObject({ mode: "P2P" });
    hostEvents.sub.unsubscribe();
  });

  test("P2P signals reach only their target; the host can change the threshold", async () => {
    const { host, meeting, hostConn, h, bConn, bj, cConn, cj, bEvents } = await hostAndTwo("Bea", "Cai");
    const cEvents = eventsOf(cConn, meeting.id, cj.self.peerId, cj.lastEventId);
    const offer = { description: { type: "offer" as const, sdp: "v=0\r\n" } };
    await hostConn.client.room.signal.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: bj.self.peerId, signal: offer });
    expect(await bEvents.next("p2p.signal")).toEqual({ type: "p2p.signal", fromPeerId: h.self.peerId, signal: offer });
    await share(hostConn, { meetingId: meeting.id, peerId: h.self.peerId }, "marker");
    await cEvents.next("playback");
    expect(cEvents.seen.some((e) => e.event.type === "p2p.signal")).toBe(false);
    await expect(
      hostConn.client.room.signal.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: "00000000-0000-4000-8000-000000000000", signal: offer }),
    ).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(hostConn.client.room.signal.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: bj.self.peerId, signal: {} })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });

    await expect(bConn.client.room.setMeshThreshold.mutate({ meetingId: meeting.id, peerId: bj.self.peerId, meshThreshold: 0 })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await hostConn.client.room.setMeshThreshold.mutate({ meetingId: meeting.id, peerId: h.self.peerId, meshThreshold: 2 });
    expect(await bEvents.next("mode.changed")).toMatchObject({ mode: "SFU", meshThreshold: 2 });
    expect((await webClient(web.url, host.cookie).meeting.get.query({ code: meeting.code })).p2pMaxParticipants).toBe(2);
    bEvents.sub.unsubscribe();
    cEvents.sub.unsubscribe();
  });

  test("a malformed SDP reaches no one; a client flooding signals is refused while others' signals still pass", async () => {
    const { meeting, hostConn, h, bj, cConn, cj, bEvents } = await hostAndTwo("Bo", "Cy");
    const toB = (signal: object) => hostConn.client.room.signal.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: bj.self.peerId, signal });
    for (const sdp of ["<script>alert(1)</script>", "v=0\r\n\u0000binary"]) {
      await expect(toB({ description: { type: "offer", sdp } })).rejects.toMatchObject({ data: { code: "BAD_REQUEST", field: "signal.description.sdp" } });
    }
    // a flood: the first SIGNALS_PER_10S pass, the rest are refused with the time to wait
    const candidate = { candidate: { candidate: "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 } };
    const results = await Promise.allSettled(Array.from({ length: SIGNALS_PER_10S + 20 }, () => toB(candidate)));
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.length).toBeGreaterThanOrEqual(20);
    expect(refused.length).toBeLessThan(SIGNALS_PER_10S);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ data: { code: "TOO_MANY_REQUESTS" } });
    expect(((refused[0] as PromiseRejectedResult).reason as { data: { retryAfterMs: number } }).data.retryAfterMs).toBeGreaterThan(0);
    // C is not affected, and B received exactly the signals that passed, none of the malformed ones
    const fromC = { description: { type: "offer" as const, sdp: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n" } };
    await cConn.client.room.signal.mutate({ meetingId: meeting.id, peerId: cj.self.peerId, targetPeerId: bj.self.peerId, signal: fromC });
    await bEvents.next("p2p.signal", 5000, (e) => e.fromPeerId === cj.self.peerId);
    const signals = bEvents.seen.filter((e) => e.event.type === "p2p.signal").map((e) => e.event as Extract<MeetingEvent, { type: "p2p.signal" }>);
    expect(signals.filter((s) => s.fromPeerId === h.self.peerId)).toHaveLength(results.length - refused.length);
    expect(signals.some((s) => s.signal.description && s.fromPeerId === h.self.peerId)).toBe(false);
    bEvents.sub.unsubscribe();
  });

  test("listen together: play, pause and seek reach everyone, and a late joiner starts where the others are", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    const friend = await newUser(web.url, "Friend");
    const friendConn = connect(friend.cookie);
    const f = await friendConn.client.room.join.mutate({ code: meeting.code });
    const friendEvents = eventsOf(friendConn, meeting.id, f.self.peerId, f.lastEventId);
    const ref = { meetingId: meeting.id, peerId: h.self.peerId };
    await hostConn.client.room.playback.mutate({ ...ref, url: "https://media.example/song.ogg", playing: true, position: 0 });
    expect((await friendEvents.next("playback")).playback).toMatchObject({ url: "https://media.example/song.ogg", playing: true, position: 0, byPeerId: h.self.peerId });
    await hostConn.client.room.playback.mutate({ ...ref, url: "https://media.example/song.ogg", playing: false, position: 42.5 });
    expect((await friendEvents.next("playback")).playback).toMatchObject({ playing: false, position: 42.5 });
    await expect(hostConn.client.room.playback.mutate({ ...ref, url: "javascript:alert(1)", playing: true, position: 0 })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", field: "url" },
    });

    const late = await newUser(web.url, "Late");
    const lateJoin = await connect(late.cookie).client.room.join.mutate({ code: meeting.code });
    expect(lateJoin.playback).toMatchObject({ url: "https://media.example/song.ogg", playing: false, position: 42.5 });
    friendEvents.sub.unsubscribe();
  });
});

describe("authorization", () => {
  test("nobody acts for a participant but the socket that joined as them", async () => {
    const { host, meeting } = await meetingWithHost();
    const h = await connect(host.cookie).client.room.join.mutate({ code: meeting.code });
    const intruder = await newUser(web.url, "Intruder");
    const intruderConn = connect(intruder.cookie);
    const ref = { meetingId: meeting.id, peerId: h.self.peerId };
    for (const call of [
      () => intruderConn.client.media.createTransport.mutate({ ...ref, direction: "send" }),
      () => share(intruderConn, ref, "spoofed"),
      () => intruderConn.client.room.leave.mutate(ref),
    ]) {
      await expect(call()).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: "You are not in this meeting (join it first)." });
    }
    // the same user on another socket is not the participant either
    await expect(connect(host.cookie).client.media.createTransport.mutate({ ...ref, direction: "send" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  test("only the host mutes, removes and ends; the removed participant is told", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    const member = await newUser(web.url, "Member");
    const memberConn = connect(member.cookie);
    const m = await memberConn.client.room.join.mutate({ code: meeting.code });
    const memberEvents = eventsOf(memberConn, meeting.id, m.self.peerId, m.lastEventId);

    await expect(memberConn.client.room.removeParticipant.mutate({ meetingId: meeting.id, peerId: m.self.peerId, targetPeerId: h.self.peerId })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: "Only the host can do this.",
    });
    await expect(memberConn.client.room.end.mutate({ meetingId: meeting.id, peerId: m.self.peerId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    // the member's microphone, muted by the host
    const send = await memberConn.client.media.createTransport.mutate({ meetingId: meeting.id, peerId: m.self.peerId, direction: "send" });
    const { producerId } = await memberConn.client.media.produce.mutate({
      meetingId: meeting.id,
      peerId: m.self.peerId,
      transportId: send.id,
      kind: "audio",
      rtpParameters: opus,
      source: "mic",
    });
    await hostConn.client.room.muteParticipant.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: m.self.peerId });
    expect(await memberEvents.next("producer.paused")).toMatchObject({ producerId, source: "mic", byHost: true });
    expect(await memberEvents.next("peer.mic")).toEqual({ type: "peer.mic", peerId: m.self.peerId, muted: true, byHost: true });
    // unmuting themselves is announced to everyone, and a late joiner's snapshot carries the state
    await memberConn.client.room.setMicMuted.mutate({ meetingId: meeting.id, peerId: m.self.peerId, muted: false });
    expect(await memberEvents.next("peer.mic")).toEqual({ type: "peer.mic", peerId: m.self.peerId, muted: false, byHost: false });
    await memberConn.client.room.setMicMuted.mutate({ meetingId: meeting.id, peerId: m.self.peerId, muted: true });
    const late = await connect((await newUser(web.url, "Late")).cookie).client.room.join.mutate({ code: meeting.code });
    expect(late.peers.find((p) => p.peerId === m.self.peerId)?.micMuted).toBe(true);
    // nobody mutes someone else through setMicMuted: it only acts for the caller's own participant
    await expect(memberConn.client.room.setMicMuted.mutate({ meetingId: meeting.id, peerId: h.self.peerId, muted: true })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    await hostConn.client.room.removeParticipant.mutate({ meetingId: meeting.id, peerId: h.self.peerId, targetPeerId: m.self.peerId });
    expect((await memberEvents.next("removed")).message).toMatch(/removed/);
    await expect(share(memberConn, { meetingId: meeting.id, peerId: m.self.peerId }, "still-here")).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    memberEvents.sub.unsubscribe();
  });
});

describe("media signaling", () => {
  test("a producer is announced, the other participant consumes it paused and resumes it; bad parameters hurt only the caller", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    const viewer = await newUser(web.url, "Viewer");
    const viewerConn = connect(viewer.cookie);
    const v = await viewerConn.client.room.join.mutate({ code: meeting.code });
    const viewerEvents = eventsOf(viewerConn, meeting.id, v.self.peerId, v.lastEventId);
    const hostRef = { meetingId: meeting.id, peerId: h.self.peerId };
    const viewerRef = { meetingId: meeting.id, peerId: v.self.peerId };

    const send = await hostConn.client.media.createTransport.mutate({ ...hostRef, direction: "send" });
    expect(send).toMatchObject({ id: expect.any(String), iceParameters: expect.any(Object), dtlsParameters: { fingerprints: expect.any(Array) } });
    expect(send.iceCandidates.length).toBeGreaterThan(0);

    // malformed input: a clear error to this client, the room unaffected
    await expect(hostConn.client.media.produce.mutate({ ...hostRef, transportId: send.id, kind: "video", rtpParameters: { codecs: [] }, source: "camera" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", field: "rtpParameters.codecs" },
    });
    await expect(
      hostConn.client.media.produce.mutate({
        ...hostRef,
        transportId: send.id,
        kind: "video",
        rtpParameters: { ...vp8Simulcast, codecs: [{ mimeType: "video/AV2", payloadType: 99, clockRate: 90000 }] },
        source: "camera",
      }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });

    const { producerId } = await hostConn.client.media.produce.mutate({ ...hostRef, transportId: send.id, kind: "video", rtpParameters: vp8Simulcast, source: "camera" });
    expect(await viewerEvents.next("producer.new")).toMatchObject({ peerId: h.self.peerId, producer: { producerId, kind: "video", source: "camera", paused: false } });

    const recv = await viewerConn.client.media.createTransport.mutate({ ...viewerRef, direction: "recv" });
    const consumer = await viewerConn.client.media.consume.mutate({ ...viewerRef, transportId: recv.id, producerId, rtpCapabilities: v.routerRtpCapabilities! });
    expect(consumer).toMatchObject({ producerId, kind: "video", producerPeerId: h.self.peerId, source: "camera" });
    await viewerConn.client.media.resumeConsumer.mutate({ ...viewerRef, consumerId: consumer.consumerId });
    await viewerConn.client.media.setPreferredLayers.mutate({ ...viewerRef, consumerId: consumer.consumerId, spatialLayer: 0 });

    // someone else's objects are invisible
    await expect(hostConn.client.media.resumeConsumer.mutate({ ...hostRef, consumerId: consumer.consumerId })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
    await expect(viewerConn.client.media.closeProducer.mutate({ ...viewerRef, producerId })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });

    // the producer closes: the viewer's consumer goes with it
    await hostConn.client.media.closeProducer.mutate({ ...hostRef, producerId });
    expect(await viewerEvents.next("producer.closed")).toMatchObject({ producerId });
    expect((await viewerEvents.next("consumer.closed")).consumerId).toBe(consumer.consumerId);
    viewerEvents.sub.unsubscribe();
  });

  test("a socket that vanishes mid-negotiation leaves nothing behind", async () => {
    const { meeting, hostConn, h } = await hostJoined();
    const hostEvents = eventsOf(hostConn, meeting.id, h.self.peerId, h.lastEventId);
    const leaver = await newUser(web.url, "Leaver");
    const leaverConn = connect(leaver.cookie);
    const l = await leaverConn.client.room.join.mutate({ code: meeting.code });
    const send = await leaverConn.client.media.createTransport.mutate({ meetingId: meeting.id, peerId: l.self.peerId, direction: "send" });
    await leaverConn.client.media.produce.mutate({ meetingId: meeting.id, peerId: l.self.peerId, transportId: send.id, kind: "audio", rtpParameters: opus, source: "mic" });
    await leaverConn.close();
    // after the reconnect grace window (5 s)
    expect(await hostEvents.next("peer.left", 10_000)).toMatchObject({ peerId: l.self.peerId, reason: "disconnected" });
    const health = await healthDetails(node);
    expect(health.media.rooms.find((r) => r.meetingId === meeting.id)).toMatchObject({ participants: 1, consumers: 0 });
    hostEvents.sub.unsubscribe();
  });
});

// Bots (bot.*, meeting/bots.ts) through a real realtime node and mediasoup, driven by packages/client's MeetingBot
// with API tokens: a bot shows as a bot, moves a P2P meeting to the SFU, its tone reaches another bot, and it is
// held to the meeting's rules (lobby, lock, removal, BOT_MAX_PER_MEETING, its own RTP address).
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { MeetingEvent } from "@qualmeet/api";
import type { ApiTokenScope } from "@qualmeet/api/api-token-scopes";
import { MeetingBot } from "../../../client/src/bot/index.ts";
import { toneInput } from "../../../client/src/bot/ffmpeg.ts";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";

let web: WebServer;
let node: RealtimeServer;
const open: RealtimeConnection[] = [];
const bots: MeetingBot[] = [];
const BOT_LIMIT = 2;

beforeAll(async () => {
  web = await startWeb();
  node = await startRealtime({ allowedOrigins: [web.url], env: { BOT_MAX_PER_MEETING: String(BOT_LIMIT) } });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(bots.map((bot) => bot.close()));
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
});

type Person = Awaited<ReturnType<typeof newUser>>;

async function token(person: Person, scopes: ApiTokenScope[] = ["meetings:join"]): Promise<string> {
  const created = await webClient(web.url, person.cookie).apiTokens.create.mutate({ name: "Bot test", scopes, expiresAt: new Date(Date.now() + 3_600_000) });
  return created.secret;
}

/** A realtime socket as a Node program with the person's token opens it. */
async function tokenSocket(person: Person, scopes?: ApiTokenScope[]) {
  const connection = realtimeClient(node.wsUrl, { authorization: `Bearer ${await token(person, scopes)}` });
  open.push(connection);
  return connection.client;
}

async function bot(person: Person, name = "Test bot"): Promise<MeetingBot> {
  const made = new MeetingBot(await tokenSocket(person), { name });
  bots.push(made);
  return made;
}

/** The host in the meeting from a browser-like socket, with the events it sees. */
async function hostedMeeting(settings: { lobbyEnabled?: boolean; locked?: boolean } = {}) {
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Bot meeting", maxParticipants: 10 });
  const connection = realtimeClient(node.wsUrl, { cookie: host.cookie, origin: web.url });
  open.push(connection);
  const joined = await connection.client.room.join.mutate({ code: meeting.code });
  const ref = { meetingId: joined.meeting.id, peerId: joined.self.peerId };
  const events: MeetingEvent[] = [];
  connection.client.room.events.subscribe({ ...ref, lastEventId: joined.lastEventId }, { onData: ({ data }) => events.push(data) });
  if (settings.lobbyEnabled !== undefined || settings.locked !== undefined) {
    await webClient(web.url, host.cookie).meeting.setAccess.mutate({ code: meeting.code, ...settings });
  }
  return { host, meeting, joined, ref, client: connection.client, room: connection.client.room, events };
}

test("a bot joins with a token, shows as a bot, moves a P2P meeting to the SFU, and another bot receives the tone it plays", async () => {
  const { meeting, joined, events } = await hostedMeeting();
  expect(joined.mode).toBe("P2P");
  const player = await bot(await newUser(web.url, "Player"), "Tone player");
  const started = performance.now();
  const playerJoin = await player.join(meeting.code);
  const joinMs = performance.now() - started;
  expect(playerJoin.self).toMatchObject({ displayName: "Tone player", isBot: true, isHost: false });
  expect(playerJoin.mode).toBe("SFU");
  await vi.waitFor(() => {
    expect(events).toContainEqual(expect.objectContaining({ type: "mode.changed", mode: "SFU", reason: "a bot joined: bots go through the media server" }));
    expect(events).toContainEqual({ type: "peer.joined", peer: expect.objectContaining({ peerId: playerJoin.self.peerId, isBot: true, displayName: "Tone player" }) });
  });

  const listener = await bot(await newUser(web.url, "Listener"), "Listener");
  await listener.join(meeting.code);
  const received = await listener.receive();
  const playback = await player.playFile({ ffmpegInput: toneInput(30) });
  const { producerId } = playback.producers[0]!;
  await vi.waitFor(() => expect(listener.streams()).toContainEqual(expect.objectContaining({ producerId, producerPeerId: playerJoin.self.peerId, kind: "audio", source: "mic" })), {
    timeout: 10_000,
  });
  const ssrc = listener.streams().find((s) => s.producerId === producerId)!.ssrc;
  // opus at 20 ms a packet: 50 a second; two seconds' worth arrived
  await vi.waitFor(() => expect(received.stats().find((s) => s.ssrc === ssrc)?.packets ?? 0).toBeGreaterThan(100), { timeout: 15_000 });
  // the media server hears the tone too: the bot becomes the meeting's speaker
  await vi.waitFor(() => expect(events).toContainEqual({ type: "activeSpeaker", peerId: playerJoin.self.peerId }), { timeout: 10_000 });
  const stream = received.stats().find((s) => s.ssrc === ssrc)!;
  console.log(JSON.stringify({ bot: { joinMs: Math.round(joinMs), sentPerSecond: Math.round(playback.packetsPerSecond()), received: stream.packets, lost: stream.lost } }));
  expect(stream.lost).toBeLessThan(stream.packets / 10);
  await playback.stop();
});

test("bots count against BOT_MAX_PER_MEETING, not their owner's tabs; the host removing one keeps its owner's bots out, the owner may still join", async () => {
  const { meeting, ref, room, events } = await hostedMeeting();
  const owner = await newUser(web.url, "Bot owner");
  const first = await bot(owner, "First");
  const firstJoin = await first.join(meeting.code);
  const second = await bot(owner, "Second");
  await second.join(meeting.code);
  await expect((await bot(await newUser(web.url, "Third owner"))).join(meeting.code)).rejects.toMatchObject({
    data: { code: "PRECONDITION_FAILED" },
    message: `This meeting already has ${BOT_LIMIT} bots, the most it may have (limit ${BOT_LIMIT}). One must leave first.`,
  });

  const ended = new Promise<string>((resolve) => first.once("ended", resolve));
  await room.removeParticipant.mutate({ ...ref, targetPeerId: firstJoin.self.peerId });
  expect(await ended).toBe("The host removed your bot from this meeting: your bots cannot join it again today.");
  await vi.waitFor(() => expect(events).toContainEqual({ type: "peer.left", peerId: firstJoin.self.peerId, reason: "removed" }));
  await expect((await bot(owner, "Back again")).join(meeting.code)).rejects.toMatchObject({
    data: { code: "FORBIDDEN" },
    message: "The host removed your bot from this meeting: your bots cannot join it again today.",
  });
  // the owner, a person, was not removed
  const ownerSocket = realtimeClient(node.wsUrl, { cookie: owner.cookie, origin: web.url });
  open.push(ownerSocket);
  await expect(ownerSocket.client.room.join.mutate({ code: meeting.code })).resolves.toMatchObject({ self: { isBot: false } });
});

test("a bot obeys the lobby and the lock like a person", async () => {
  const withLobby = await hostedMeeting({ lobbyEnabled: true });
  await expect((await bot(await newUser(web.url, "Lobby bot owner"))).join(withLobby.meeting.code)).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: /lobby/ });
  const locked = await hostedMeeting({ locked: true });
  await expect((await bot(await newUser(web.url, "Locked bot owner"))).join(locked.meeting.code)).rejects.toMatchObject({
    data: { code: "FORBIDDEN" },
    message: "This meeting is locked by the host.",
  });
});

test("a bot cannot act in another meeting, aim RTP at a third party, or join with a token lacking meetings:join; a person's participant is not a bot", async () => {
  const { meeting, ref, client: hostClient } = await hostedMeeting();
  const owner = await newUser(web.url, "Careful owner");
  const client = await tokenSocket(owner);
  const mine = await client.bot.join.mutate({ code: meeting.code, name: "Mine" });
  const own = { meetingId: mine.meeting.id, peerId: mine.self.peerId };
  // the host's participant, named by someone else's bot
  await expect(client.bot.createSendTransport.mutate(ref)).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  await expect(client.bot.createRecvTransport.mutate({ ...own, port: 40_000, ip: "203.0.113.5" })).rejects.toMatchObject({
    data: { code: "FORBIDDEN" },
    message: expect.stringContaining("not to 203.0.113.5: the server's BOT_RTP_TARGETS must name it"),
  });
  await expect(client.bot.createRecvTransport.mutate({ ...own, port: 40_000 })).resolves.toMatchObject({ id: expect.any(String) });

  const readOnly = await tokenSocket(owner, ["chat:read"]);
  await expect(readOnly.bot.join.mutate({ code: meeting.code, name: "Sneaky" })).rejects.toMatchObject({
    data: { code: "FORBIDDEN" },
    message: 'This API token lacks the scope "meetings:join" that bot.join needs.',
  });
  // a person's participant gets no plain RTP transport through bot.*
  await expect(hostClient.bot.createSendTransport.mutate(ref)).rejects.toMatchObject({
    data: { code: "PRECONDITION_FAILED" },
    message: "This participant is not a bot: join with bot.join to send and receive plain RTP.",
  });
});

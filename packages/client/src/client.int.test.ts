// @qualmeet/client against the real web app and realtime nodes, authenticated by personal access tokens as a Node
// script is: HTTP calls within the token's scopes, a realtime subscription that hears another person, and a
// subscription that resumes where it stopped after its realtime node restarts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { ApiTokenScope } from "@qualmeet/api/api-token-scopes";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { createQualmeetClient, createWebClient, withRefusals, type ChatEvent, type MeetingEvent, type QualmeetClient, type RealtimeStatus } from "./node.ts";

let web: WebServer;
let nodeA: RealtimeServer;
let nodeB: RealtimeServer;
const closers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  web = await startWeb();
  [nodeA, nodeB] = await Promise.all([startRealtime({ allowedOrigins: [web.url] }), startRealtime({ allowedOrigins: [web.url] })]);
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
  await Promise.all([nodeA?.stop(), nodeB?.stop(), web?.stop()]);
});

async function tokenOf(cookie: string, scopes: ApiTokenScope[]): Promise<string> {
  const { secret } = await webClient(web.url, cookie).apiTokens.create.mutate({ name: "Client test", scopes, expiresAt: new Date(Date.now() + 86_400_000) });
  return secret;
}

function botClient(node: RealtimeServer, token: string, onStatus?: (status: RealtimeStatus) => void): QualmeetClient {
  const client = createQualmeetClient({ webUrl: web.url, realtimeUrl: node.wsUrl, token, retryDelayMs: () => 200, onStateChange: (s) => onStatus?.(s.status) });
  closers.push(client);
  return client;
}

function personSocket(node: RealtimeServer, cookie: string): RealtimeConnection {
  const connection = realtimeClient(node.wsUrl, { cookie, origin: web.url });
  closers.push(connection);
  return connection;
}

test("a token calls the web app's procedures its scopes allow, and is refused the others", async () => {
  const ann = await newUser(web.url, "Client Ann");
  const manager = createWebClient({ url: web.url, token: await tokenOf(ann.cookie, ["meetings:manage"]) });
  const meeting = await manager.meeting.create.mutate({ title: "Made by a script", maxParticipants: 4 });
  expect(meeting).toMatchObject({ title: "Made by a script", code: expect.any(String) });
  expect(await webClient(web.url, ann.cookie).meeting.get.query({ code: meeting.code })).toMatchObject({ id: meeting.id, isHost: true });

  const reader = createWebClient({ url: web.url, token: await tokenOf(ann.cookie, ["chat:read"]) });
  const refused = await withRefusals(reader.meeting.create.mutate({ title: "Not allowed", maxParticipants: 4 }));
  expect(refused).toMatchObject({ ok: false, refusal: { code: "FORBIDDEN", message: expect.stringContaining('"meetings:manage"') } });
});

test("a token's realtime subscription hears another person join the meeting", async () => {
  const host = await newUser(web.url, "Client Host");
  const guest = await newUser(web.url, "Client Guest");
  const bot = botClient(nodeA, await tokenOf(host.cookie, ["meetings:manage", "meetings:join"]));
  const meeting = await bot.web.meeting.create.mutate({ title: "Bot meeting", maxParticipants: 4 });
  const joined = await bot.realtime.room.join.mutate({ code: meeting.code });
  const events: MeetingEvent[] = [];
  bot.realtime.room.events.subscribe({ meetingId: meeting.id, peerId: joined.self.peerId, lastEventId: joined.lastEventId }, { onData: ({ data }) => void events.push(data) });

  await personSocket(nodeB, guest.cookie).client.room.join.mutate({ code: meeting.code });
  await vi.waitFor(
    () => expect(events).toContainEqual(expect.objectContaining({ type: "peer.joined", peer: expect.objectContaining({ userId: guest.id, displayName: "Client Guest" }) })),
    { timeout: 10_000 },
  );
});

test("a subscription resumes after its realtime node restarts: what was sent meanwhile arrives once, in order", async () => {
  const ann = await newUser(web.url, "Resume Ann");
  const bob = await newUser(web.url, "Resume Bob");
  const dm = await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
  const statuses: RealtimeStatus[] = [];
  const bot = botClient(nodeA, await tokenOf(ann.cookie, ["chat:read"]), (status) => statuses.push(status));
  const bodies: string[] = [];
  await new Promise<void>((started) => {
    bot.realtime.chat.events.subscribe(
      {},
      {
        onStarted: () => started(),
        onData: ({ data }) => {
          const event = data as ChatEvent;
          if (event.type === "message.new") bodies.push(event.message.body ?? "");
        },
      },
    );
  });
  const bob$ = personSocket(nodeB, bob.cookie).client;
  const send = (body: string) => bob$.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body });

  await send("before the restart");
  await vi.waitFor(() => expect(bodies).toEqual(["before the restart"]));

  const { port } = nodeA;
  await nodeA.stop();
  await vi.waitFor(() => expect(bot.realtimeState().status).toBe("closed"));
  await send("while the node was down");
  nodeA = await startRealtime({ port, allowedOrigins: [web.url] });

  await vi.waitFor(() => expect(bodies).toEqual(["before the restart", "while the node was down"]), { timeout: 15_000 });
  await send("after the restart");
  await vi.waitFor(() => expect(bodies).toEqual(["before the restart", "while the node was down", "after the restart"]));
  expect(statuses.at(-1)).toBe("open");
});

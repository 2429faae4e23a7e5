// TURN credentials over the realtime socket with real PostgreSQL and Redis: who gets them (participants only, in the
// join answer and from room.iceServers), the daily quota (beyond it a call still joins, with STUN only and a notice).
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

const TURN_SECRET = "turn-secret-for-the-quota-test";
const TURN_URLS = "turn:127.0.0.1:3478?transport=udp,turns:127.0.0.1:5349";
const DAILY_QUOTA = 3;
let web: WebServer;
let node: RealtimeServer;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  web = await startWeb();
  node = await startRealtime({
    allowedOrigins: [web.url],
    env: { MEDIA_WORKERS: "0", TURN_URLS, TURN_SECRET, TURN_CREDENTIAL_TTL_S: "900", TURN_DAILY_QUOTA: String(DAILY_QUOTA) },
  });
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

type Grant = { iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>; expiresInS: number; relayNotice: string | null };

/** The TURN entry of an answer, checked to be one coturn accepts for `userId` (HMAC with the shared secret, unexpired). */
function validTurn(grant: Grant, userId: string) {
  const turn = grant.iceServers.find((server) => server.credential);
  if (!turn) return null;
  const [expiry, owner] = turn.username!.split(":");
  expect(owner).toBe(userId);
  expect(Number(expiry)).toBeGreaterThan(Date.now() / 1000);
  expect(turn.credential).toBe(createHmac("sha1", TURN_SECRET).update(turn.username!).digest("base64"));
  return turn;
}

test("participants get STUN and TURN credentials until their daily quota; beyond it they still join, with STUN only and the notice", async () => {
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Relay allowance", maxParticipants: 10 });
  const hostConn = connect(host.cookie);
  const joined = await hostConn.client.room.join.mutate({ code: meeting.code });
  const ref = { meetingId: joined.meeting.id, peerId: joined.self.peerId };

  // the join is the first credential of the day, each refresh one more
  expect(joined.expiresInS).toBe(900);
  expect(joined.relayNotice).toBeNull();
  expect(joined.iceServers).toContainEqual({ urls: ["stun:127.0.0.1:3478"] });
  expect(validTurn(joined, host.id)?.urls).toEqual(["turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349"]);
  for (let issued = 1; issued < DAILY_QUOTA; issued++) {
    expect(validTurn(await hostConn.client.room.iceServers.query(ref), host.id)).not.toBeNull();
  }

  const over = await hostConn.client.room.iceServers.query(ref);
  expect(over.iceServers).toEqual([{ urls: ["stun:127.0.0.1:3478"] }]);
  expect(over.relayNotice).toBe("You have used today's relay allowance; calls behind strict firewalls may fail.");

  // over the quota, joining still works (another tab): STUN only, told why
  const secondTab = await connect(host.cookie).client.room.join.mutate({ code: meeting.code });
  expect(secondTab.self.peerId).not.toBe(joined.self.peerId);
  expect(validTurn(secondTab, host.id)).toBeNull();
  expect(secondTab.relayNotice).toMatch(/relay allowance/);

  // the quota is the user's: someone else in the same meeting still gets a relay
  const guestlike = await newUser(web.url, "Other");
  const other = await connect(guestlike.cookie).client.room.join.mutate({ code: meeting.code });
  expect(validTurn(other, guestlike.id)).not.toBeNull();
});

test("someone not in the meeting gets no credentials, even naming a participant's peer", async () => {
  const host = await newUser(web.url, "Host");
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Not yours", maxParticipants: 10 });
  const joined = await connect(host.cookie).client.room.join.mutate({ code: meeting.code });
  const stranger = await newUser(web.url, "Stranger");
  await expect(connect(stranger.cookie).client.room.iceServers.query({ meetingId: joined.meeting.id, peerId: joined.self.peerId })).rejects.toMatchObject({
    data: { code: "FORBIDDEN" },
  });
});

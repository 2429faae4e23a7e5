// Webhooks through the real web app and realtime node, to a receiver in this test: the events of a meeting and a
// chat arrive signed with the endpoint's secret and are logged as delivered; an endpoint that keeps failing is retried
// with growing pauses, then disabled, audited, and its owner sees why.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { SIGNATURE_HEADER, verify } from "@qualmeet/webhook-signature";
import { newUser, realtimeClient, webClient, type RealtimeConnection } from "../../../tests/harness/clients.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../../tests/harness/webhookReceiver.ts";

const DISABLE_AFTER = 4;
// the receiver is on loopback; retries come fast enough for a test
const webhookEnv = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true", WEBHOOK_RETRY_BASE_MS: "300", WEBHOOK_DISABLE_AFTER_FAILURES: String(DISABLE_AFTER) };

let web: WebServer;
let node: RealtimeServer;
let db: PrismaClient;
let receiver: WebhookReceiver;
const open: RealtimeConnection[] = [];

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  receiver = await startWebhookReceiver();
  web = await startWeb({ env: webhookEnv });
  node = await startRealtime({ allowedOrigins: [web.url], env: webhookEnv });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await Promise.all([node?.stop(), web?.stop()]);
  await receiver?.close();
  await db?.$disconnect();
});

const socketOf = (cookie: string) => {
  const conn = realtimeClient(node.wsUrl, { cookie, origin: web.url });
  open.push(conn);
  return conn;
};

const at = (path: string) => receiver.received.filter((r) => r.path === path);

test("a meeting's and a chat's events reach the endpoint signed with its secret, and the log shows them delivered", async () => {
  const host = await newUser(web.url, "Hooked Hana");
  const friend = await newUser(web.url, "Friend Fred");
  const hana = webClient(web.url, host.cookie);
  const path = `/events-${randomUUID()}`;
  const { endpoint, secret } = await hana.webhooks.create.mutate({
    url: `${receiver.url}${path}`,
    events: ["meeting.started", "meeting.ended", "participant.joined", "participant.left", "message.sent"],
    description: "Everything about my meetings",
  });
  expect(secret).toMatch(/^whsec_/);
  // the secret is shown once: the list never carries it
  expect(JSON.stringify(await hana.webhooks.list.query())).not.toContain(secret);

  const meeting = await hana.meeting.create.mutate({ title: "Hooked meeting", maxParticipants: 5 });
  const hanaSocket = socketOf(host.cookie);
  const fredSocket = socketOf(friend.cookie);
  const joined = await hanaSocket.client.room.join.mutate({ code: meeting.code });
  const fredJoined = await fredSocket.client.room.join.mutate({ code: meeting.code });
  await fredSocket.client.room.leave.mutate({ meetingId: meeting.id, peerId: fredJoined.self.peerId });
  await hana.meeting.end.mutate({ code: meeting.code });
  const dm = await hana.chat.createDirect.mutate({ userId: friend.id });
  const sent = await fredSocket.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "hello over a webhook" });
  expect(joined.self.peerId).toBeTruthy();

  const types = () => at(path).map((r) => r.event.type);
  await expect.poll(types, { timeout: 20_000 }).toEqual(expect.arrayContaining(["meeting.started", "participant.joined", "participant.left", "meeting.ended", "message.sent"]));
  for (const delivery of at(path)) {
    expect(verify({ body: delivery.body, header: delivery.headers[SIGNATURE_HEADER.toLowerCase()], secret }), delivery.event.type).toMatchObject({ ok: true });
    expect(verify({ body: delivery.body, header: delivery.headers[SIGNATURE_HEADER.toLowerCase()], secret: "whsec_wrong" }).ok).toBe(false);
    expect(delivery.headers["qualmeet-event"]).toBe(delivery.event.type);
    expect(delivery.headers["qualmeet-event-id"]).toBe(delivery.event.id);
  }
  const byType = (type: string) => at(path).find((r) => r.event.type === type)!.event.data;
  expect(byType("meeting.started")).toEqual({ meeting: { id: meeting.id, code: meeting.code, title: "Hooked meeting" } });
  expect(
    at(path)
      .filter((r) => r.event.type === "participant.joined")
      .map((r) => r.event.data.participant),
  ).toEqual(expect.arrayContaining([expect.objectContaining({ userId: friend.id, name: "Friend Fred", isHost: false })]));
  expect(byType("participant.left")).toMatchObject({ participant: { userId: friend.id, reason: "left" } });
  expect(byType("message.sent")).toMatchObject({ message: { id: sent.id, conversationId: dm.id, senderId: friend.id, body: "hello over a webhook" } });
  // the meeting ends once, however many ways its end is announced
  expect(types().filter((t) => t === "meeting.ended")).toHaveLength(1);

  const delivered = async () => (await hana.webhooks.deliveries.query({ endpointId: endpoint.id })).items.filter((d) => d.status === "SUCCEEDED").length;
  await expect.poll(delivered, { timeout: 10_000 }).toBe(at(path).length);
  const items = (await hana.webhooks.deliveries.query({ endpointId: endpoint.id })).items;
  expect(items[0]).toMatchObject({ status: "SUCCEEDED", attempts: 1, lastStatus: 204, lastError: null, latencyMs: expect.any(Number) });
  expect(items[0]!.history).toHaveLength(1);
});

test("an endpoint that keeps failing is retried with growing pauses, then disabled, audited, and its owner is told", async () => {
  const owner = await newUser(web.url, "Failing Fiona");
  const fiona = webClient(web.url, owner.cookie);
  const path = `/down-${randomUUID()}`;
  receiver.answer(path, 500);
  const { endpoint } = await fiona.webhooks.create.mutate({ url: `${receiver.url}${path}`, events: ["meeting.started"] });
  await fiona.webhooks.sendTest.mutate({ endpointId: endpoint.id });

  await expect.poll(async () => (await fiona.webhooks.list.query())[0]?.enabled, { timeout: 20_000 }).toBe(false);
  const attempts = at(path);
  expect(attempts).toHaveLength(DISABLE_AFTER);
  // one delivery, sent again and again: the same event id each time, each pause longer than the one before
  expect(new Set(attempts.map((a) => a.event.id)).size).toBe(1);
  const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
  console.log(`gaps between attempts (ms): ${gaps.join(", ")}`);
  for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]!);

  const [listed] = await fiona.webhooks.list.query();
  expect(listed).toMatchObject({ enabled: false, consecutiveFailures: DISABLE_AFTER, disabledAt: expect.any(Date) });
  expect(listed!.disabledReason).toMatch(/4 delivery attempts in a row failed \(the last: answered 500\)/);
  const audit = await db.auditLog.findMany({ where: { action: "webhook.disabled", targetId: endpoint.id } });
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ actorId: null, targetType: "webhookEndpoint", data: { ownerId: owner.id } });

  // nothing more is sent to a disabled endpoint; its pending delivery ends as failed
  await expect
    .poll(async () => (await fiona.webhooks.deliveries.query({ endpointId: endpoint.id })).items[0], { timeout: 10_000 })
    .toMatchObject({ status: "FAILED", attempts: DISABLE_AFTER });
  expect(at(path)).toHaveLength(DISABLE_AFTER);

  // enabled again: a fresh start, and the notice is gone
  receiver.answer(path, 204);
  expect(await fiona.webhooks.update.mutate({ endpointId: endpoint.id, enabled: true })).toMatchObject({
    enabled: true,
    consecutiveFailures: 0,
    disabledAt: null,
    disabledReason: null,
  });
  await fiona.webhooks.sendTest.mutate({ endpointId: endpoint.id, data: { hello: "again" } });
  await expect.poll(() => at(path).length, { timeout: 10_000 }).toBe(DISABLE_AFTER + 1);
  expect(at(path).at(-1)!.event).toMatchObject({ type: "webhook.test", data: { hello: "again" } });
});

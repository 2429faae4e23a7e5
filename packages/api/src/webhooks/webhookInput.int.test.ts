// Bad webhook input through the real web app, with the product's defaults (private addresses refused): each is a
// clear error and stores nothing; someone else's endpoint is NOT_FOUND; report.filed is for administrators only.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { newUser, webClient } from "../../../../tests/harness/clients.ts";
import { startWeb, type WebServer } from "../../../../tests/harness/servers.ts";

const MAX_ENDPOINTS = 3;
// a public address literal: accepted without a DNS lookup (nothing is ever sent to it: no realtime node runs here)
const PUBLIC_URL = "https://93.184.216.34/qualmeet";

let web: WebServer;
let db: PrismaClient;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb({ env: { WEBHOOK_MAX_ENDPOINTS_PER_USER: String(MAX_ENDPOINTS) } });
});

afterAll(async () => {
  await web?.stop();
  await db?.$disconnect();
});

async function person(name: string) {
  const user = await newUser(web.url, name);
  return { ...user, api: webClient(web.url, user.cookie), endpoints: () => db.webhookEndpoint.count({ where: { userId: user.id } }) };
}

test("URLs on private, loopback or link-local addresses, plain http and credentials are refused, and nothing is stored", async () => {
  const pat = await person("Private Pat");
  const refusals: Array<[string, RegExp]> = [
    ["https://127.0.0.1/hook", /127\.0\.0\.1 is a private, loopback or link-local address/],
    ["https://localhost:8443/hook", /localhost \((127\.0\.0\.1|::1)\) is a private/],
    ["https://[::1]/hook", /::1 is a private/],
    ["https://169.254.169.254/latest/meta-data", /169\.254\.169\.254 is a private/],
    ["https://10.20.30.40/hook", /10\.20\.30\.40 is a private/],
    ["https://[::ffff:192.168.0.1]/hook", /is a private/],
    ["http://93.184.216.34/hook", /must use https:\/\//],
    ["https://user:pw@93.184.216.34/hook", /user name and password/],
    ["not a url", /Enter a full URL/],
  ];
  for (const [url, message] of refusals) {
    await expect(pat.api.webhooks.create.mutate({ url, events: ["meeting.started"] }), url).rejects.toMatchObject({
      message: expect.stringMatching(message),
      data: { code: "BAD_REQUEST" },
    });
  }
  expect(await pat.endpoints()).toBe(0);
});

test("an unknown event, no event and a huge description are refused, and nothing is stored", async () => {
  const una = await person("Unknown Una");
  const create = (input: Record<string, unknown>) => una.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started"], ...input } as never);
  await expect(create({ events: ["meeting.exploded"] })).rejects.toMatchObject({
    message: expect.stringContaining("Unknown event: choose from meeting.started"),
    data: { code: "BAD_REQUEST" },
  });
  await expect(create({ events: [] })).rejects.toMatchObject({ message: expect.stringContaining("Choose at least one event.") });
  await expect(create({ description: "x".repeat(10_000) })).rejects.toMatchObject({ message: expect.stringContaining("at most 200 characters") });
  expect(await una.endpoints()).toBe(0);
});

test("only administrators may subscribe to report.filed", async () => {
  const user = await person("Ordinary Olga");
  await expect(user.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started", "report.filed"] })).rejects.toMatchObject({
    message: "Only administrators may subscribe to report.filed.",
    data: { code: "FORBIDDEN" },
  });
  expect(await user.endpoints()).toBe(0);
  const { endpoint } = await user.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started"] });
  await expect(user.api.webhooks.update.mutate({ endpointId: endpoint.id, events: ["report.filed"] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

  const admin = await person("Admin Ada");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  const created = await admin.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["report.filed"] });
  expect(created.endpoint.events).toEqual(["report.filed"]);
});

test("another user's endpoint id is NOT_FOUND everywhere and stays as it was", async () => {
  const owner = await person("Owner Otto");
  const other = await person("Other Olive");
  const { endpoint } = await owner.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started"] });
  const endpointId = endpoint.id;
  const attempts = [
    () => other.api.webhooks.update.mutate({ endpointId, enabled: false }),
    () => other.api.webhooks.delete.mutate({ endpointId }),
    () => other.api.webhooks.rotateSecret.mutate({ endpointId }),
    () => other.api.webhooks.deliveries.query({ endpointId }),
    () => other.api.webhooks.sendTest.mutate({ endpointId }),
  ];
  for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ message: "You have no webhook endpoint with this id.", data: { code: "NOT_FOUND" } });
  expect(await other.api.webhooks.list.query()).toEqual([]);
  const [still] = await owner.api.webhooks.list.query();
  expect(still).toMatchObject({ id: endpointId, enabled: true });
  expect(await db.webhookDelivery.count({ where: { endpointId } })).toBe(0);
});

test("an oversize test payload is refused with its size and nothing is stored; a normal one is queued", async () => {
  const sam = await person("Sizeable Sam");
  const { endpoint } = await sam.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started"] });
  await expect(sam.api.webhooks.sendTest.mutate({ endpointId: endpoint.id, data: { blob: "x".repeat(70_000) } })).rejects.toMatchObject({
    message: expect.stringMatching(/^The event payload is 70\d{3} bytes, over the 65536-byte limit/),
    data: { code: "PAYLOAD_TOO_LARGE" },
  });
  expect(await db.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(0);
  await sam.api.webhooks.sendTest.mutate({ endpointId: endpoint.id, data: { blob: "small" } });
  expect(await db.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, select: { eventType: true, status: true } })).toEqual([
    { eventType: "webhook.test", status: "PENDING" },
  ]);
});

test("an account has at most WEBHOOK_MAX_ENDPOINTS_PER_USER endpoints", async () => {
  const cap = await person("Capped Cleo");
  for (let i = 0; i < MAX_ENDPOINTS; i++) await cap.api.webhooks.create.mutate({ url: `${PUBLIC_URL}/${i}`, events: ["meeting.started"] });
  await expect(cap.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started"] })).rejects.toMatchObject({
    message: `You have ${MAX_ENDPOINTS} webhook endpoints, the most allowed: delete one you no longer use first.`,
  });
  expect(await cap.endpoints()).toBe(MAX_ENDPOINTS);
});

test("an admin disables anyone's endpoint with a reason the owner reads, audited; others' secrets never show", async () => {
  const owner = await person("Spammy Sid");
  const admin = await person("Moderator Mo");
  await db.user.update({ where: { id: admin.id }, data: { role: "ADMIN" } });
  const { endpoint, secret } = await owner.api.webhooks.create.mutate({ url: PUBLIC_URL, events: ["meeting.started"] });
  const listed = await admin.api.admin.webhooks.list.query({ limit: 100 });
  expect(listed.items.find((e) => e.id === endpoint.id)).toMatchObject({ user: { id: owner.id } });
  expect(JSON.stringify(listed)).not.toContain(secret);
  await expect(admin.api.admin.webhooks.disable.mutate({ endpointId: randomUUID(), reason: "No such thing" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  expect(await admin.api.admin.webhooks.disable.mutate({ endpointId: endpoint.id, reason: "It floods a third party" })).toEqual({ disabled: true });
  expect(await admin.api.admin.webhooks.disable.mutate({ endpointId: endpoint.id, reason: "Again" })).toEqual({ disabled: false });
  const [mine] = await owner.api.webhooks.list.query();
  expect(mine).toMatchObject({ enabled: false, disabledReason: "Disabled by an administrator: It floods a third party" });
  expect(await db.auditLog.findMany({ where: { action: "admin.webhook.disable", targetId: endpoint.id }, select: { actorId: true } })).toEqual([{ actorId: admin.id }]);
  // the stored secret is not the secret
  const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id }, select: { secretCiphertext: true } });
  expect(row.secretCiphertext).not.toContain(secret.slice("whsec_".length));
});

// The delivery log of an endpoint (its owner's page, the admin console), "Send test", and the admins' view of every
// endpoint with the power to disable one.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import { bodyOf, checkPayloadSize, WebhookPayloadTooLarge } from "../../webhooks/emitter.ts";
import { WEBHOOK_TEST_EVENT } from "../../webhooks/events.ts";
import { disableEndpoint } from "../../webhooks/outcome.ts";
import { schedule } from "../../webhooks/queue.ts";
import { asListed, listedEndpoint, ownEndpoint, type UserContext } from "./webhooks.handler.ts";
import type { AdminWebhooksInput, SendTestInput, WebhookDeliveriesInput } from "./webhooks.schema.ts";

/** attempts shown with each delivery in the log (the newest) */
const ATTEMPTS_SHOWN = 10;

async function deliveriesOf(ctx: UserContext, input: WebhookDeliveriesInput) {
  const rows = await ctx.db.webhookDelivery.findMany({
    where: { endpointId: input.endpointId, ...afterCursor(input.cursor, "createdAt", "desc") },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: {
      id: true,
      eventId: true,
      eventType: true,
      status: true,
      attempts: true,
      lastStatus: true,
      lastError: true,
      latencyMs: true,
      nextAttemptAt: true,
      createdAt: true,
      finishedAt: true,
      history: { orderBy: { at: "desc" }, take: ATTEMPTS_SHOWN, select: { at: true, status: true, error: true, latencyMs: true } },
    },
  });
  return keysetPage(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
}

export async function webhookDeliveriesHandler({ ctx, input }: { ctx: UserContext; input: WebhookDeliveriesInput }) {
  await ownEndpoint(ctx, input.endpointId);
  return deliveriesOf(ctx, input);
}

/** Queues a `webhook.test` event for the endpoint; an oversize `data` is refused before anything is stored. */
export async function sendTestWebhookHandler({ ctx, input }: { ctx: UserContext; input: SendTestInput }) {
  const endpoint = await ownEndpoint(ctx, input.endpointId);
  if (!endpoint.enabled) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This endpoint is disabled: enable it before sending a test." });
  const event = { id: randomUUID(), type: WEBHOOK_TEST_EVENT, createdAt: new Date().toISOString(), data: input.data ?? { message: "A test delivery from QualMeet." } };
  const body = bodyOf(event);
  try {
    checkPayloadSize(body);
  } catch (error) {
    if (error instanceof WebhookPayloadTooLarge) throw new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: error.message });
    throw error;
  }
  const now = new Date();
  const delivery = await ctx.db.webhookDelivery.create({
    data: { endpointId: endpoint.id, eventId: event.id, eventType: event.type, body, nextAttemptAt: now },
    select: { id: true },
  });
  await schedule(ctx.redis, delivery.id, now.getTime());
  return { deliveryId: delivery.id, eventId: event.id };
}

/** Every user's endpoints, newest first, with their owner. */
export async function adminListWebhooksHandler({ ctx, input }: { ctx: UserContext; input: AdminWebhooksInput }) {
  const rows = await ctx.db.webhookEndpoint.findMany({
    where: afterCursor(input.cursor, "createdAt", "desc"),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: { ...listedEndpoint, user: { select: { id: true, name: true, email: true } } },
  });
  const page = keysetPage(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
  return { nextCursor: page.nextCursor, items: page.items.map(asListed) };
}

export async function adminWebhookDeliveriesHandler({ ctx, input }: { ctx: UserContext; input: WebhookDeliveriesInput }) {
  const exists = await ctx.db.webhookEndpoint.count({ where: { id: input.endpointId } });
  if (!exists) throw new TRPCError({ code: "NOT_FOUND", message: "There is no webhook endpoint with this id." });
  return deliveriesOf(ctx, input);
}

/** Disables anyone's endpoint with a reason its owner reads (audited); an endpoint already disabled stays as it is. */
export async function adminDisableWebhookHandler({ ctx, input }: { ctx: UserContext; input: { endpointId: string; reason: string } }) {
  const exists = await ctx.db.webhookEndpoint.count({ where: { id: input.endpointId } });
  if (!exists) throw new TRPCError({ code: "NOT_FOUND", message: "There is no webhook endpoint with this id." });
  const disabled = await disableEndpoint(ctx.db, input.endpointId, `Disabled by an administrator: ${input.reason}`, { id: ctx.user.id, ip: ctx.ip });
  return { disabled };
}

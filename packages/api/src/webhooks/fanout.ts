// Turns one event into deliveries: finds the enabled endpoints subscribed to its type whose owner it concerns (the
// host of the meeting; the members of the conversation; the people called; administrators for reports), stores one
// delivery each (once per endpoint and event: the unique index skips a repeat) and queues them.
import type { Prisma, PrismaClient } from "@qualmeet/db";
import type { Redis } from "ioredis";
import { logger } from "@qualmeet/log";
import { bodyOf, checkPayloadSize, type QueuedWebhookEvent, type WebhookEventData } from "./emitter.ts";
import type { WebhookEventType } from "./events.ts";
import { scheduleMissing } from "./queue.ts";

type Recipients = { event: QueuedWebhookEvent; owners: Prisma.UserWhereInput } | null;

const isType = <T extends WebhookEventType>(event: QueuedWebhookEvent, ...types: T[]): event is QueuedWebhookEvent<T> => (types as string[]).includes(event.type);

/** The event as receivers get it (a meeting's code and title filled in) and whose endpoints get it; null: nobody. */
async function recipientsOf(db: PrismaClient, event: QueuedWebhookEvent): Promise<Recipients> {
  if (isType(event, "meeting.started", "meeting.ended", "participant.joined", "participant.left")) {
    const meeting = await db.meeting.findUnique({ where: { id: event.data.meeting.id }, select: { id: true, code: true, title: true, hostId: true } });
    if (!meeting) return null;
    const data = { ...event.data, meeting: { id: meeting.id, code: meeting.code, title: meeting.title } } as WebhookEventData[typeof event.type];
    return { event: { ...event, data }, owners: { id: meeting.hostId } };
  }
  if (isType(event, "message.sent")) {
    return { event, owners: { memberships: { some: { conversationId: event.data.message.conversationId, leftAt: null } } } };
  }
  if (isType(event, "call.missed")) {
    const { conversationId, callerId } = event.data.call;
    return { event, owners: { id: { not: callerId }, memberships: { some: { conversationId, leftAt: null } } } };
  }
  if (isType(event, "report.filed")) return { event, owners: { role: "ADMIN" } };
  logger.error({ type: event.type, eventId: event.id }, "webhooks: an event of a type nobody handles: dropped");
  return null;
}

/** Stores and queues the event's deliveries; returns how many were new. */
export async function fanOut(deps: { db: PrismaClient; redis: Redis }, queued: QueuedWebhookEvent): Promise<number> {
  const recipients = await recipientsOf(deps.db, queued);
  if (!recipients) return 0;
  const endpoints = await deps.db.webhookEndpoint.findMany({
    where: { enabled: true, events: { has: queued.type }, user: recipients.owners },
    select: { id: true },
  });
  if (endpoints.length === 0) return 0;
  const body = bodyOf(recipients.event);
  checkPayloadSize(body);
  const now = new Date();
  const created = await deps.db.webhookDelivery.createManyAndReturn({
    data: endpoints.map((endpoint) => ({ endpointId: endpoint.id, eventId: queued.id, eventType: queued.type, body, nextAttemptAt: now })),
    skipDuplicates: true,
    select: { id: true },
  });
  await scheduleMissing(
    deps.redis,
    created.map((delivery) => ({ id: delivery.id, dueMs: now.getTime() })),
  );
  return created.length;
}

// The one way the rest of the server says something happened: `webhookEvent(redis, type, data)` appends the event to
// the stream `webhook:events` and returns at once (the fan-out on the realtime nodes finds the endpoints that want
// it). Call sites pass ids; the fan-out fills in the rest (a meeting's code and title) and picks the recipients.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import type { WebhookEventType } from "./events.ts";
import { EVENTS_MAXLEN, webhookKeys } from "./keys.ts";

export interface MeetingRef {
  id: string;
  code?: string;
  title?: string;
}

/** What each event carries to the receiver, under `data`. */
export interface WebhookEventData {
  "meeting.started": { meeting: MeetingRef };
  "meeting.ended": { meeting: MeetingRef };
  "participant.joined": { meeting: MeetingRef; participant: { userId: string; name: string; isGuest: boolean; isHost: boolean } };
  "participant.left": { meeting: MeetingRef; participant: { userId: string; name: string; reason: string } };
  "message.sent": { message: { id: string; conversationId: string; senderId: string; senderName: string; body: string; replyToId: string | null; createdAt: string } };
  "call.missed": { call: { id: string; conversationId: string; kind: string; callerId: string; callerName: string; startedAt: string } };
  "report.filed": { report: { id: string; reason: string; reporterId: string; reportedUserId: string } };
}

/** An event as the stream holds it; the receiver gets all but nothing more (`bodyOf`). */
export interface QueuedWebhookEvent<T extends WebhookEventType = WebhookEventType> {
  id: string;
  type: T;
  createdAt: string;
  data: WebhookEventData[T];
}

/** A chat message as message.sent carries it. */
export const sentMessage = (m: { id: string; conversationId: string; senderId: string; senderName: string; body: string; replyTo: { id: string } | null; createdAt: number }) => ({
  id: m.id,
  conversationId: m.conversationId,
  senderId: m.senderId,
  senderName: m.senderName,
  body: m.body,
  replyToId: m.replyTo?.id ?? null,
  createdAt: new Date(m.createdAt).toISOString(),
});

/** A call nobody answered, as call.missed carries it. */
export const missedCall = (call: { id: string; conversationId: string; kind: string; from: { id: string; name: string }; startedAt: number }) => ({
  id: call.id,
  conversationId: call.conversationId,
  kind: call.kind,
  callerId: call.from.id,
  callerName: call.from.name,
  startedAt: new Date(call.startedAt).toISOString(),
});

/** The JSON a receiver gets (and the signature covers), byte for byte the same on every attempt. */
export const bodyOf = (event: { id: string; type: string; createdAt: string; data: unknown }): string =>
  JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });

export class WebhookPayloadTooLarge extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The event payload is ${bytes} bytes, over the ${limit}-byte limit (WEBHOOK_MAX_PAYLOAD_BYTES): nothing was stored.`);
    this.name = "WebhookPayloadTooLarge";
  }
}

/** Refuses a body over WEBHOOK_MAX_PAYLOAD_BYTES before anything is stored. */
export function checkPayloadSize(body: string): void {
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > env.WEBHOOK_MAX_PAYLOAD_BYTES) throw new WebhookPayloadTooLarge(bytes, env.WEBHOOK_MAX_PAYLOAD_BYTES);
}

/**
 * Queues an event for the fan-out. `dedupeKey` makes its id stable (a chat message persisted twice is one event);
 * without one every call is a new event. Throws WebhookPayloadTooLarge for an oversize event, storing nothing.
 */
export async function emitWebhookEvent<T extends WebhookEventType>(redis: Redis, type: T, data: WebhookEventData[T], dedupeKey?: string): Promise<string> {
  const event: QueuedWebhookEvent<T> = { id: dedupeKey ? `${type}:${dedupeKey}` : randomUUID(), type, createdAt: new Date().toISOString(), data };
  checkPayloadSize(bodyOf(event));
  await redis.xadd(webhookKeys.events, "MAXLEN", "~", EVENTS_MAXLEN, "*", "e", JSON.stringify(event));
  return event.id;
}

/**
 * For the places events happen: queues the event without making the caller wait or fail (the action itself
 * succeeded); a failure is logged with the event's type as an error, since that event's deliveries are lost.
 */
export function webhookEvent<T extends WebhookEventType>(redis: Redis, type: T, data: WebhookEventData[T], dedupeKey?: string): void {
  emitWebhookEvent(redis, type, data, dedupeKey).catch((err: unknown) => logger.error({ err, type, dedupeKey }, "webhooks: event not queued, no endpoint will receive it"));
}

// The events a webhook endpoint may subscribe to, and what each one's `data` holds. Kept apart from the server code
// so the settings page can list them (`@qualmeet/api/webhook-events`).
export const WEBHOOK_EVENTS = ["meeting.started", "meeting.ended", "participant.joined", "participant.left", "message.sent", "call.missed", "report.filed"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Only administrators' endpoints may subscribe to these (they are about other people). */
export const ADMIN_ONLY_WEBHOOK_EVENTS: readonly WebhookEventType[] = ["report.filed"];

/** The event a "Send test" delivers; nobody subscribes to it. */
export const WEBHOOK_TEST_EVENT = "webhook.test";

/** What each event means, as the settings page and docs say it (and whose endpoints receive it). */
export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "meeting.started": "A meeting you host started (its first person joined)",
  "meeting.ended": "A meeting you host ended",
  "participant.joined": "Someone joined a meeting you host",
  "participant.left": "Someone left a meeting you host",
  "message.sent": "A message was sent in one of your conversations",
  "call.missed": "Nobody answered a call to you",
  "report.filed": "A random-chat report was filed (administrators)",
};

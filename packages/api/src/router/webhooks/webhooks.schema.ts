import { z } from "zod";
import { env } from "@qualmeet/config";
import { labelText } from "../../schemas.ts";
import { keysetPageSchema } from "../../services/keyset.ts";
import { WEBHOOK_EVENTS } from "../../webhooks/events.ts";

/** An endpoint's URL: https (plain http only where private addresses are allowed), no credentials, no fragment. */
export const webhookUrl = z
  .string({ error: "Enter the URL that receives the events." })
  .trim()
  .min(1, "Enter the URL that receives the events.")
  .max(2048, "Webhook URLs are at most 2048 characters.")
  .superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, like https://hooks.example.com/qualmeet." });
      return;
    }
    const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES;
    if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
      ctx.addIssue({ code: "custom", message: allowPrivate ? "Webhook URLs start with https:// or http://." : "Webhook URLs must use https://." });
    }
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "Leave the user name and password out of the URL: deliveries are signed instead." });
    if (url.hash) ctx.addIssue({ code: "custom", message: "Webhook URLs cannot have a #fragment." });
  });

export const webhookEventType = z.enum(WEBHOOK_EVENTS, { error: `Unknown event: choose from ${WEBHOOK_EVENTS.join(", ")}.` });

const eventList = z
  .array(webhookEventType, { error: "Choose at least one event." })
  .min(1, "Choose at least one event.")
  .max(WEBHOOK_EVENTS.length)
  .transform((events) => [...new Set(events)]);

const description = labelText({ plural: "Descriptions", empty: "Describe the endpoint or leave it out.", max: 200 }).optional();

export const createWebhookSchema = z.object({ url: webhookUrl, events: eventList, description });
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const byWebhookSchema = z.object({ endpointId: z.string().uuid("endpointId must be a webhook endpoint id (UUID)") });

export const updateWebhookSchema = byWebhookSchema.extend({ events: eventList.optional(), enabled: z.boolean().optional(), description });
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;

export const webhookDeliveriesSchema = keysetPageSchema.extend(byWebhookSchema.shape).extend({ limit: z.number().int().min(1).max(100).default(25) });
export type WebhookDeliveriesInput = z.infer<typeof webhookDeliveriesSchema>;

/** `data`: what the test event carries (flat sample fields your receiver expects); a greeting by default. */
export const sendTestSchema = byWebhookSchema.extend({ data: z.record(z.string().max(200), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional() });
export type SendTestInput = z.infer<typeof sendTestSchema>;

export const adminWebhooksSchema = keysetPageSchema;
export type AdminWebhooksInput = z.infer<typeof adminWebhooksSchema>;

export const adminDisableWebhookSchema = byWebhookSchema.extend({
  reason: labelText({ plural: "Reasons", empty: "Say why the endpoint is disabled: its owner reads it.", max: 500 }),
});

// The signed-in user's webhook endpoints (/settings/webhooks). Only a session manages them: tokens cannot.
import { access, createTRPCRouter, protectedProcedure, rateLimit } from "../trpc.ts";
import { sendTestWebhookHandler, webhookDeliveriesHandler } from "./webhooks/deliveries.handler.ts";
import { createWebhookHandler, deleteWebhookHandler, listWebhooksHandler, rotateWebhookSecretHandler, updateWebhookHandler } from "./webhooks/webhooks.handler.ts";
import { byWebhookSchema, createWebhookSchema, sendTestSchema, updateWebhookSchema, webhookDeliveriesSchema } from "./webhooks/webhooks.schema.ts";

const creations = rateLimit({ scope: "webhook:create", capacity: 20, windowMs: 60 * 60_000 }, "new webhook endpoints");
const tests = rateLimit({ scope: "webhook:test", capacity: 10, windowMs: 60_000 }, "test deliveries");

export const webhooksRouter = createTRPCRouter({
  create: protectedProcedure.meta(access("user")).meta(creations).input(createWebhookSchema).mutation(createWebhookHandler),
  list: protectedProcedure.meta(access("user")).query(listWebhooksHandler),
  update: protectedProcedure.meta(access("user")).input(updateWebhookSchema).mutation(updateWebhookHandler),
  delete: protectedProcedure.meta(access("user")).input(byWebhookSchema).mutation(deleteWebhookHandler),
  rotateSecret: protectedProcedure.meta(access("user")).input(byWebhookSchema).mutation(rotateWebhookSecretHandler),
  deliveries: protectedProcedure.meta(access("user")).input(webhookDeliveriesSchema).query(webhookDeliveriesHandler),
  sendTest: protectedProcedure.meta(access("user")).meta(tests).input(sendTestSchema).mutation(sendTestWebhookHandler),
});

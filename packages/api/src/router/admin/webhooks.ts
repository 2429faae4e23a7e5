import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { adminDisableWebhookHandler, adminListWebhooksHandler, adminWebhookDeliveriesHandler } from "../webhooks/deliveries.handler.ts";
import { adminDisableWebhookSchema, adminWebhooksSchema, webhookDeliveriesSchema } from "../webhooks/webhooks.schema.ts";

export const adminWebhooksRouter = createTRPCRouter({
  list: adminProcedure.meta(access("admin")).input(adminWebhooksSchema).query(adminListWebhooksHandler),
  deliveries: adminProcedure.meta(access("admin")).input(webhookDeliveriesSchema).query(adminWebhookDeliveriesHandler),
  disable: adminProcedure.meta(access("admin")).input(adminDisableWebhookSchema).mutation(adminDisableWebhookHandler),
});

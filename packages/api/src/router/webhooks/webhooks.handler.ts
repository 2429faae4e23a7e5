// The signed-in user's webhook endpoints (/settings/webhooks): create (the secret shown once), list, change events or
// switch on and off, delete, rotate the secret. Another user's endpoint id is NOT_FOUND, revealing nothing.
import { TRPCError } from "@trpc/server";
import type { Prisma } from "@qualmeet/db";
import { env } from "@qualmeet/config";
import type { Context, SessionUser } from "../../trpc.ts";
import { BlockedDestination, hostOf, resolveDestination } from "../../webhooks/address.ts";
import { ADMIN_ONLY_WEBHOOK_EVENTS, type WebhookEventType } from "../../webhooks/events.ts";
import { encryptSecret, newWebhookSecret } from "../../webhooks/secrets.ts";
import { fieldError } from "../../errors.ts";
import type { CreateWebhookInput, UpdateWebhookInput } from "./webhooks.schema.ts";

export type UserContext = Context & { user: SessionUser };

/** What a list shows of an endpoint: never its secret. */
export const listedEndpoint = {
  id: true,
  url: true,
  description: true,
  events: true,
  enabled: true,
  consecutiveFailures: true,
  disabledAt: true,
  disabledReason: true,
  createdAt: true,
} as const;
type ListedRow = Prisma.WebhookEndpointGetPayload<{ select: typeof listedEndpoint }>;
export const asListed = <Row extends ListedRow>(row: Row): Omit<Row, "events"> & { events: WebhookEventType[] } => ({ ...row, events: row.events as WebhookEventType[] });

function checkEvents(user: SessionUser, events: WebhookEventType[]): void {
  const adminOnly = events.filter((event) => ADMIN_ONLY_WEBHOOK_EVENTS.includes(event));
  if (adminOnly.length && user.role !== "ADMIN") {
    throw new TRPCError({ code: "FORBIDDEN", message: `Only administrators may subscribe to ${adminOnly.join(", ")}.` });
  }
}

/** Refuses a URL whose host does not resolve or (unless allowed) resolves to a private address: nothing is stored. */
async function checkUrl(raw: string): Promise<void> {
  try {
    await resolveDestination(hostOf(new URL(raw)), env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES);
  } catch (error) {
    if (error instanceof BlockedDestination) throw fieldError("BAD_REQUEST", "url", error.message);
    throw error;
  }
}

const audit = (ctx: UserContext, action: string, endpointId: string, data: Prisma.InputJsonValue) =>
  ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action, targetType: "webhookEndpoint", targetId: endpointId, ip: ctx.ip, data } });

export async function createWebhookHandler({ ctx, input }: { ctx: UserContext; input: CreateWebhookInput }) {
  checkEvents(ctx.user, input.events);
  const count = await ctx.db.webhookEndpoint.count({ where: { userId: ctx.user.id } });
  if (count >= env.WEBHOOK_MAX_ENDPOINTS_PER_USER) {
    throw new TRPCError({ code: "FORBIDDEN", message: `You have ${env.WEBHOOK_MAX_ENDPOINTS_PER_USER} webhook endpoints, the most allowed: delete one you no longer use first.` });
  }
  await checkUrl(input.url);
  const secret = newWebhookSecret();
  const endpoint = await ctx.db.webhookEndpoint.create({
    data: { userId: ctx.user.id, url: input.url, events: input.events, description: input.description ?? "", secretCiphertext: encryptSecret(secret) },
    select: listedEndpoint,
  });
  await audit(ctx, "webhook.create", endpoint.id, { url: endpoint.url, events: endpoint.events });
  // the only time the secret leaves the server
  return { endpoint: asListed(endpoint), secret };
}

export async function listWebhooksHandler({ ctx }: { ctx: UserContext }) {
  const rows = await ctx.db.webhookEndpoint.findMany({ where: { userId: ctx.user.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: listedEndpoint });
  return rows.map(asListed);
}

/** The caller's endpoint, or NOT_FOUND (also for someone else's). */
export async function ownEndpoint(ctx: UserContext, endpointId: string) {
  const endpoint = await ctx.db.webhookEndpoint.findFirst({ where: { id: endpointId, userId: ctx.user.id }, select: { id: true, url: true, enabled: true } });
  if (!endpoint) throw new TRPCError({ code: "NOT_FOUND", message: "You have no webhook endpoint with this id." });
  return endpoint;
}

export async function updateWebhookHandler({ ctx, input }: { ctx: UserContext; input: UpdateWebhookInput }) {
  await ownEndpoint(ctx, input.endpointId);
  if (input.events) checkEvents(ctx.user, input.events);
  // enabling again starts a fresh run of failures and ends the "disabled" notice
  const enabling = input.enabled === true ? { consecutiveFailures: 0, disabledAt: null, disabledReason: null } : {};
  const endpoint = await ctx.db.webhookEndpoint.update({
    where: { id: input.endpointId },
    data: { events: input.events, enabled: input.enabled, description: input.description, ...enabling },
    select: listedEndpoint,
  });
  await audit(ctx, "webhook.update", endpoint.id, { events: endpoint.events, enabled: endpoint.enabled });
  return asListed(endpoint);
}

export async function deleteWebhookHandler({ ctx, input }: { ctx: UserContext; input: { endpointId: string } }) {
  const endpoint = await ownEndpoint(ctx, input.endpointId);
  await ctx.db.webhookEndpoint.delete({ where: { id: endpoint.id } });
  await audit(ctx, "webhook.delete", endpoint.id, { url: endpoint.url });
  return { ok: true as const };
}

/** A new secret at once (the old one stops signing); shown this once. */
export async function rotateWebhookSecretHandler({ ctx, input }: { ctx: UserContext; input: { endpointId: string } }) {
  const endpoint = await ownEndpoint(ctx, input.endpointId);
  const secret = newWebhookSecret();
  await ctx.db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { secretCiphertext: encryptSecret(secret) } });
  await audit(ctx, "webhook.rotateSecret", endpoint.id, { url: endpoint.url });
  return { secret };
}

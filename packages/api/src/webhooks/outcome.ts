// What an attempt leaves behind: the attempt in the delivery's log, the delivery's state (sent, retried later, given
// up), and the endpoint's run of failures. An endpoint failing WEBHOOK_DISABLE_AFTER_FAILURES times in a row is
// disabled, in the audit log, and its owner is told: the home page and /settings/webhooks show the disabled endpoint
// and why until they enable it again or delete it.
import type { PrismaClient } from "@qualmeet/db";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { nextAttemptAt } from "./backoff.ts";
import { schedule, unschedule } from "./queue.ts";
import type { AttemptResult } from "./sender.ts";

export interface AttemptedDelivery {
  id: string;
  endpointId: string;
  attempts: number;
  createdAt: Date;
}

const policy = () => ({ baseMs: env.WEBHOOK_RETRY_BASE_MS, maxMs: env.WEBHOOK_RETRY_MAX_MS, retryForMs: env.WEBHOOK_RETRY_FOR_MS });

export async function recordAttempt(deps: { db: PrismaClient; redis: Redis }, delivery: AttemptedDelivery, result: AttemptResult, now = new Date()): Promise<void> {
  const attempts = delivery.attempts + 1;
  const next = result.ok ? null : nextAttemptAt(attempts, delivery.createdAt.getTime(), now.getTime(), policy());
  const status = result.ok ? "SUCCEEDED" : next === null ? "FAILED" : "PENDING";
  const [, , endpoint] = await deps.db.$transaction([
    deps.db.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        status,
        attempts,
        lastStatus: result.status,
        lastError: result.error?.slice(0, 500) ?? null,
        latencyMs: result.latencyMs,
        nextAttemptAt: next === null ? null : new Date(next),
        finishedAt: status === "PENDING" ? null : now,
      },
    }),
    deps.db.webhookAttempt.create({ data: { deliveryId: delivery.id, at: now, status: result.status, error: result.error?.slice(0, 500) ?? null, latencyMs: result.latencyMs } }),
    deps.db.webhookEndpoint.update({
      where: { id: delivery.endpointId },
      data: { consecutiveFailures: result.ok ? 0 : { increment: 1 } },
      select: { consecutiveFailures: true, enabled: true },
    }),
  ]);
  if (next === null) await unschedule(deps.redis, delivery.id);
  else await schedule(deps.redis, delivery.id, next);
  if (!result.ok && endpoint.enabled && endpoint.consecutiveFailures >= env.WEBHOOK_DISABLE_AFTER_FAILURES) {
    const reason = `${endpoint.consecutiveFailures} delivery attempts in a row failed (the last: ${result.error ?? "no answer"}).`;
    await disableEndpoint(deps.db, delivery.endpointId, reason, null);
  }
}

/**
 * Disables an enabled endpoint (its queued deliveries then fail without being sent) and audits it: by an admin
 * (`actorId`) or by the worker (null). True when this call disabled it.
 */
export async function disableEndpoint(db: PrismaClient, endpointId: string, reason: string, actor: { id: string; ip: string } | null): Promise<boolean> {
  const disabled = await db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, enabled: true },
      data: { enabled: false, disabledAt: new Date(), disabledReason: reason.slice(0, 500) },
    });
    if (count === 0) return null;
    const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { userId: true, url: true } });
    await tx.auditLog.create({
      data: {
        actorId: actor?.id ?? null,
        action: actor ? "admin.webhook.disable" : "webhook.disabled",
        targetType: "webhookEndpoint",
        targetId: endpointId,
        ip: actor?.ip ?? null,
        data: { ownerId: endpoint.userId, url: endpoint.url, reason },
      },
    });
    return endpoint;
  });
  if (disabled) logger.warn({ endpointId, ownerId: disabled.userId, reason, by: actor?.id ?? "worker" }, "webhooks: endpoint disabled");
  return disabled !== null;
}

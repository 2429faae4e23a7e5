// The webhook work of a realtime node: a consumer of the group `webhook-fanout` (events -> deliveries, fanout.ts),
// a sender taking due deliveries from the queue under a lease (queue.ts), and a sweep that re-queues deliveries the
// queue lost (a node that died between storing and queueing, a Redis restored from an older snapshot) and drops
// delivery logs older than DELIVERY_LOG_DAYS. Every node runs one; the work is shared through Redis.
import type { PrismaClient } from "@qualmeet/db";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { logger } from "@qualmeet/log";
import { unavailableService } from "../errors.ts";
import type { QueuedWebhookEvent } from "./emitter.ts";
import { fanOut } from "./fanout.ts";
import { FANOUT_GROUP, webhookKeys } from "./keys.ts";
import { recordAttempt } from "./outcome.ts";
import { claimDue, scheduleMissing, unschedule } from "./queue.ts";
import { decryptSecret } from "./secrets.ts";
import { sendDelivery, type AttemptResult } from "./sender.ts";

/** deliveries sent at once by one node */
const CONCURRENCY = 20;
/** the longest the sender sleeps when nothing is due (a delivery queued by another node waits at most this) */
const IDLE_POLL_MS = 1000;
const CLAIM_IDLE_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
/** a pending delivery due this long ago but not in the queue is re-queued */
const STRANDED_AFTER_MS = 60_000;
export const DELIVERY_LOG_DAYS = 30;

type RawEntry = [id: string, fields: string[] | null];

export interface WebhookWorkerOptions {
  db: PrismaClient;
  /** a connection of its own: the fan-out blocks in XREADGROUP */
  streamRedis: Redis;
  redis: Redis;
  consumer: string;
}

export class WebhookWorker {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: WebhookWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [this.fanOutLoop(), this.sendLoop(), this.sweepLoop()];
  }

  /** Lets attempts in flight finish; what is queued stays for the other nodes. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
  }

  /** the sender's current sleep: new deliveries from this node's fan-out end it */
  private wakeSender: () => void = () => {};

  private sleep(ms: number, sender = false): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
      if (sender) this.wakeSender = wake;
    });
  }

  /** A failure of a loop's step: Redis or PostgreSQL away is expected (a debug line), anything else an error. */
  private failed(step: string, error: unknown): void {
    if (unavailableService(error)) logger.debug({ err: error, step }, "webhooks: a dependency is unavailable, retrying");
    else logger.error({ err: error, step }, "webhooks: step failed, retrying");
  }

  private async ensureGroup(): Promise<void> {
    try {
      // "0": events queued before any node created the group are delivered too
      await this.options.streamRedis.xgroup("CREATE", webhookKeys.events, FANOUT_GROUP, "0", "MKSTREAM");
    } catch (error) {
      if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
    }
  }

  private async read(from: "0" | ">"): Promise<RawEntry[]> {
    const { streamRedis, consumer } = this.options;
    const args = ["GROUP", FANOUT_GROUP, consumer, "COUNT", 50, ...(from === ">" ? ["BLOCK", 1000] : []), "STREAMS", webhookKeys.events, from] as const;
    const reply = (await (streamRedis.xreadgroup as (...a: unknown[]) => Promise<unknown>)(...args)) as Array<[string, RawEntry[]]> | null;
    return reply?.[0]?.[1] ?? [];
  }

  private async fanOutLoop(): Promise<void> {
    let backoff = 200;
    let ready = false;
    let nextClaim = 0;
    // after a failure the entries this consumer holds are read again first, in order
    let ownPending = true;
    while (this.running) {
      try {
        if (!ready) await this.ensureGroup();
        ready = true;
        if (Date.now() >= nextClaim) {
          // events a dead node took but never acknowledged
          await this.options.streamRedis.xautoclaim(webhookKeys.events, FANOUT_GROUP, this.options.consumer, CLAIM_IDLE_MS, "0-0", "COUNT", 100, "JUSTID");
          nextClaim = Date.now() + CLAIM_IDLE_MS;
          ownPending = true;
        }
        const entries = ownPending ? await this.read("0") : await this.read(">");
        if (ownPending && entries.length === 0) ownPending = false;
        for (const [id, fields] of entries) await this.fanOutEntry(id, fields);
        if (entries.length) this.wakeSender();
        backoff = 200;
      } catch (error) {
        if (String((error as Error).message).includes("NOGROUP")) ready = false;
        this.failed("fan-out", error);
        ownPending = true;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async fanOutEntry(id: string, fields: string[] | null): Promise<void> {
    const { db, redis, streamRedis } = this.options;
    const raw = fields?.[1];
    if (raw) {
      const event = JSON.parse(raw) as QueuedWebhookEvent;
      try {
        await fanOut({ db, redis }, event);
      } catch (error) {
        // PostgreSQL or Redis away: kept, tried again; anything else would fail forever, so it is dropped, said loudly
        if (unavailableService(error)) throw error;
        logger.error({ err: error, eventId: event.id, type: event.type }, "webhooks: event dropped: its deliveries could not be made");
      }
    }
    await streamRedis.multi().xack(webhookKeys.events, FANOUT_GROUP, id).xdel(webhookKeys.events, id).exec();
  }

  private async sendLoop(): Promise<void> {
    const leaseMs = env.WEBHOOK_TIMEOUT_MS + 30_000;
    while (this.running) {
      try {
        const ids = await claimDue(this.options.redis, Date.now(), leaseMs, CONCURRENCY);
        await Promise.all(ids.map((id) => this.attempt(id)));
        if (ids.length === CONCURRENCY) continue;
        await this.sleep(await this.untilNextDue(), true);
      } catch (error) {
        this.failed("send", error);
        await this.sleep(IDLE_POLL_MS);
      }
    }
  }

  /** How long until the earliest queued delivery is due (leased ones count too: their lease may run out). */
  private async untilNextDue(): Promise<number> {
    const [, score] = await this.options.redis.zrange(webhookKeys.queue, "0", "0", "WITHSCORES");
    if (score === undefined) return IDLE_POLL_MS;
    return Math.min(Math.max(Number(score) - Date.now(), 5), IDLE_POLL_MS);
  }

  private async attempt(deliveryId: string): Promise<void> {
    const { db, redis } = this.options;
    try {
      const delivery = await db.webhookDelivery.findUnique({
        where: { id: deliveryId },
        select: {
          id: true,
          endpointId: true,
          eventId: true,
          eventType: true,
          body: true,
          status: true,
          attempts: true,
          createdAt: true,
          endpoint: { select: { url: true, secretCiphertext: true, enabled: true } },
        },
      });
      if (!delivery || delivery.status !== "PENDING") return await unschedule(redis, deliveryId);
      if (!delivery.endpoint.enabled) {
        await db.webhookDelivery.update({
          where: { id: deliveryId },
          data: { status: "FAILED", lastError: "not sent: the endpoint is disabled", nextAttemptAt: null, finishedAt: new Date() },
        });
        return await unschedule(redis, deliveryId);
      }
      let result: AttemptResult;
      try {
        const secret = decryptSecret(delivery.endpoint.secretCiphertext);
        result = await sendDelivery(
          { ...delivery, url: delivery.endpoint.url, secret, deliveryId },
          { timeoutMs: env.WEBHOOK_TIMEOUT_MS, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES },
        );
      } catch (error) {
        // not the receiver's doing (an unreadable secret after NEXTAUTH_SECRET changed): still a failed attempt, said in the log
        logger.error({ err: error, deliveryId, endpointId: delivery.endpointId }, "webhooks: delivery could not be signed or sent");
        result = { ok: false, status: null, error: `not sent: ${(error as Error).message}`.slice(0, 300), latencyMs: 0 };
      }
      await recordAttempt({ db, redis }, delivery, result);
    } catch (error) {
      // the lease runs out and the delivery is taken again
      this.failed("attempt", error);
    }
  }

  private async sweepLoop(): Promise<void> {
    while (this.running) {
      await this.sleep(SWEEP_EVERY_MS);
      if (!this.running) break;
      try {
        await this.sweep();
      } catch (error) {
        this.failed("sweep", error);
      }
    }
  }

  private async sweep(now = Date.now()): Promise<void> {
    const { db, redis } = this.options;
    const stranded = await db.webhookDelivery.findMany({
      where: { status: "PENDING", nextAttemptAt: { lt: new Date(now - STRANDED_AFTER_MS) } },
      select: { id: true, nextAttemptAt: true },
      take: 500,
    });
    const requeued = await scheduleMissing(
      redis,
      stranded.map((d) => ({ id: d.id, dueMs: d.nextAttemptAt!.getTime() })),
    );
    if (requeued) logger.warn({ requeued }, "webhooks: deliveries missing from the queue were queued again");
    await db.webhookDelivery.deleteMany({ where: { createdAt: { lt: new Date(now - DELIVERY_LOG_DAYS * 86_400_000) }, status: { not: "PENDING" } } });
  }
}

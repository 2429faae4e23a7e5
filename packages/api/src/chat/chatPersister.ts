// Writes the chat outbox (chatOutbox.ts) to PostgreSQL. Every realtime node runs one consumer of the group
// `chat-persisters`: it reads a batch, applies it in one transaction (messages inserted with
// ON CONFLICT DO NOTHING, so a re-delivered entry is stored once; new versions upserted; read markers after
// the messages they point at), then XACKs it. While PostgreSQL is down the same batch is retried, in order,
// with backoff, and nothing after it is read. Entries left pending by a node that died are claimed with
// XAUTOCLAIM once idle for CLAIM_IDLE_MS. Acknowledged entries are trimmed from the stream.
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { unavailableService } from "../errors.ts";
import { OUTBOX, settlePending, type OutboxEntry } from "./chatOutbox.ts";
import type { StoredMessage } from "./messages.ts";
import { logger } from "@qualmeet/log";
import { batchSpans } from "../tracing/traceContext.ts";
import { sentMessage, webhookEvent } from "../webhooks/emitter.ts";

export const PERSISTER_GROUP = "chat-persisters";
const CLAIM_IDLE_MS = 30_000;
const CLAIM_EVERY_MS = 10_000;
const OWN_PENDING_EVERY_MS = 2_000;
const MAX_BACKOFF_MS = 2_000;
// an entry PostgreSQL refuses (not for being down) is retried this long, then dropped with a log line
const POISON_AFTER_MS = 60_000;

type ReadMarker = Extract<OutboxEntry, { op: "read" }>;
type RawEntry = [id: string, fields: string[] | null];

export interface PersisterOptions {
  db: PrismaClient;
  /** a connection of its own: it blocks in XREADGROUP */
  redis: Redis;
  consumer: string;
  batchSize?: number;
  /** entries another consumer has left unacknowledged this long are taken over (that node is presumed dead) */
  claimIdleMs?: number;
  log?: (message: string) => void;
}

/**
 * Outbox entries not yet written to PostgreSQL (delivered to a persister but not acknowledged, or not delivered yet),
 * for the counters. Before any persister has created its group, every entry in the stream is waiting.
 */
export async function outboxBacklog(redis: Redis): Promise<number> {
  const groups = (await redis.xinfo("GROUPS", OUTBOX).catch((err: unknown) => {
    if (String(err).includes("no such key")) return [];
    throw err;
  })) as Array<Array<string | number | null>>;
  const group = groups.find((g) => g[g.indexOf("name") + 1] === PERSISTER_GROUP);
  if (!group) return redis.xlen(OUTBOX);
  const field = (name: string) => group[group.indexOf(name) + 1];
  // lag is unknown (nil) after entries were deleted from the middle of the stream: then the stream's length, which
  // holds little more than what waits (acknowledged entries are trimmed)
  const lag = field("lag");
  if (lag === null || lag === undefined) return redis.xlen(OUTBOX);
  return Number(field("pending") ?? 0) + Number(lag);
}

export class ChatPersister {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly batchSize: number;
  private readonly log: (message: string) => void;
  /** messages written to PostgreSQL by this node since it started */
  persisted = 0;

  constructor(private readonly options: PersisterOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.log = options.log ?? ((message) => logger.warn({ consumer: options.consumer }, `chat persister: ${message}`));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in hand and stops; what is left stays in the outbox for the other nodes. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async ensureGroup(): Promise<void> {
    try {
      // "0": entries queued before the group existed are persisted too
      await this.options.redis.xgroup("CREATE", OUTBOX, PERSISTER_GROUP, "0", "MKSTREAM");
    } catch (error) {
      if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
    }
  }

  private async read(from: "0" | ">"): Promise<RawEntry[]> {
    const { redis, consumer } = this.options;
    const args = ["GROUP", PERSISTER_GROUP, consumer, "COUNT", this.batchSize, ...(from === ">" ? ["BLOCK", 1000] : []), "STREAMS", OUTBOX, from] as const;
    const reply = (await (redis.xreadgroup as (...a: unknown[]) => Promise<unknown>)(...args)) as Array<[string, RawEntry[]]> | null;
    return reply?.[0]?.[1] ?? [];
  }

  private async claim(): Promise<void> {
    const { redis, consumer } = this.options;
    let cursor = "0-0";
    do {
      const reply = (await redis.xautoclaim(OUTBOX, PERSISTER_GROUP, consumer, this.options.claimIdleMs ?? CLAIM_IDLE_MS, cursor, "COUNT", this.batchSize, "JUSTID")) as [
        string,
        string[],
      ];
      cursor = reply[0];
      if (reply[1].length) this.log(`claimed ${reply[1].length} entries left by another node`);
    } while (cursor !== "0-0" && this.running);
  }

  /** Drops acknowledged entries: everything before the oldest one still pending (or not yet delivered). */
  private async trim(): Promise<void> {
    const { redis } = this.options;
    const summary = (await redis.xpending(OUTBOX, PERSISTER_GROUP)) as [number, string | null, string | null, unknown];
    let minId = summary[1];
    if (!minId) {
      const groups = (await redis.xinfo("GROUPS", OUTBOX)) as Array<Array<string | number>>;
      const group = groups.find((g) => g[g.indexOf("name") + 1] === PERSISTER_GROUP);
      minId = group ? String(group[group.indexOf("last-delivered-id") + 1]) : null;
    }
    if (minId) await redis.xtrim(OUTBOX, "MINID", "~", minId);
  }

  private async run(): Promise<void> {
    let backoff = 200;
    let nextOwnPending = 0;
    let nextClaim = 0;
    while (this.running) {
      try {
        if (nextClaim === 0) await this.ensureGroup();
        const now = Date.now();
        if (now >= nextClaim) {
          await this.claim();
          await this.trim();
          nextClaim = now + Math.min(CLAIM_EVERY_MS, this.options.claimIdleMs ?? CLAIM_IDLE_MS);
          nextOwnPending = 0;
        }
        let entries: RawEntry[] = [];
        if (now >= nextOwnPending) {
          entries = await this.read("0");
          nextOwnPending = now + OWN_PENDING_EVERY_MS;
        }
        if (entries.length === 0) entries = await this.read(">");
        if (entries.length === 0) continue;
        await this.persist(entries);
        backoff = 200;
      } catch (error) {
        const service = unavailableService(error);
        if (!service) this.log(`${(error as Error).message}; retrying in ${backoff} ms`);
        // the same batch is read again (first) after the pause: order is kept
        nextOwnPending = 0;
        if (String((error as Error).message).includes("NOGROUP")) nextClaim = 0;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Stores a batch, in a "chat.persist" span for each entry whose sender was traced (its field "tc"). */
  private async persist(entries: RawEntry[]): Promise<void> {
    const traceparents = entries.map(([, fields]) => (fields?.[2] === "tc" ? (fields[3] ?? "") : ""));
    const spans = batchSpans("chat.persist", traceparents, { "chat.batch_size": entries.length });
    try {
      await this.store(entries);
      spans.end();
    } catch (error) {
      spans.end(error);
      throw error;
    }
  }

  /** Applies a batch in one transaction and acknowledges it; on refusal, entry by entry. */
  private async store(entries: RawEntry[]): Promise<void> {
    const parsed: Array<{ id: string; entry: OutboxEntry | null }> = entries.map(([id, fields]) => ({
      id,
      entry: fields ? (JSON.parse(fields[1] ?? "null") as OutboxEntry | null) : null,
    }));
    const live = parsed.filter((p): p is { id: string; entry: OutboxEntry } => p.entry !== null);
    try {
      const stored = await this.apply(live.map((p) => p.entry));
      await this.acknowledge(
        parsed.map((p) => p.id),
        stored,
      );
    } catch (error) {
      if (unavailableService(error)) throw error;
      this.log(`batch refused (${(error as Error).message}); storing entry by entry`);
      const done: string[] = parsed.filter((p) => !p.entry).map((p) => p.id);
      const settled: StoredMessage[] = [];
      for (const { id, entry } of live) {
        try {
          settled.push(...(await this.apply([entry])));
          done.push(id);
        } catch (entryError) {
          if (unavailableService(entryError)) throw entryError;
          const age = Date.now() - Number(id.split("-")[0]);
          if (age > POISON_AFTER_MS) {
            this.log(`dropping outbox entry ${id} after ${Math.round(age / 1000)} s: ${(entryError as Error).message} ${JSON.stringify(entry)}`);
            done.push(id);
            // it will never be stored: history stops showing it as pending
            if (entry.op === "message") settled.push(entry.m);
          }
        }
      }
      await this.acknowledge(done, settled);
    }
  }

  /** XACKs the entries; the message versions in `settled` leave the pending index. */
  private async acknowledge(ids: string[], settled: StoredMessage[]): Promise<void> {
    if (ids.length) await this.options.redis.xack(OUTBOX, PERSISTER_GROUP, ...ids);
    await settlePending(this.options.redis, settled);
  }

  /** One transaction for the batch; returns the message versions it stored. */
  private async apply(entries: OutboxEntry[]): Promise<StoredMessage[]> {
    const newest = new Map<string, StoredMessage>();
    const reads = new Map<string, ReadMarker>();
    for (const entry of entries) {
      if (entry.op === "message") {
        const seen = newest.get(entry.m.id);
        if (!seen || seen.v <= entry.m.v) newest.set(entry.m.id, entry.m);
      } else {
        const key = `${entry.conversationId} ${entry.userId}`;
        const seen = reads.get(key);
        if (!seen || seen.at <= entry.at) reads.set(key, entry);
      }
    }
    const messages = [...newest.values()];
    const fresh = messages.filter((m) => m.v === 0);
    const versions = messages.filter((m) => m.v > 0);
    const statements = [];
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const columns = (rows: StoredMessage[]) => [
      rows.map((m) => m.id),
      rows.map((m) => m.conversationId),
      rows.map((m) => m.senderId),
      rows.map((m) => m.clientId),
      rows.map((m) => (m.deletedAt ? "" : m.body)),
      rows.map((m) => m.replyTo?.id ?? null),
      rows.map((m) => iso(m.createdAt)),
      rows.map((m) => iso(m.editedAt)),
      rows.map((m) => iso(m.deletedAt)),
    ];
    const SELECT_ROWS = `SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])`;
    const INSERT = `INSERT INTO "Message" (id, "conversationId", "senderId", "clientId", body, "replyToId", "createdAt", "editedAt", "deletedAt")`;
    const { db } = this.options;
    if (fresh.length) {
      // a re-delivered entry, or a re-send whose client id was seen before: stored once
      statements.push(db.$executeRawUnsafe(`${INSERT} ${SELECT_ROWS} ON CONFLICT DO NOTHING`, ...columns(fresh)));
      const latest = new Map<string, number>();
      for (const m of fresh) latest.set(m.conversationId, Math.max(latest.get(m.conversationId) ?? 0, m.createdAt));
      statements.push(
        db.$executeRawUnsafe(
          `UPDATE "Conversation" c SET "lastMessageAt" = v.at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
           WHERE c.id = v.id AND (c."lastMessageAt" IS NULL OR c."lastMessageAt" < v.at)`,
          [...latest.keys()],
          [...latest.values()].map(iso),
        ),
      );
    }
    if (versions.length) {
      // an edit or delete may reach PostgreSQL before (another node's) insert: it inserts the whole message
      statements.push(
        db.$executeRawUnsafe(
          `${INSERT} ${SELECT_ROWS} ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, "editedAt" = EXCLUDED."editedAt", "deletedAt" = EXCLUDED."deletedAt"
           WHERE "Message"."deletedAt" IS NULL AND ("Message"."editedAt" IS NULL OR EXCLUDED."deletedAt" IS NOT NULL OR "Message"."editedAt" <= EXCLUDED."editedAt")`,
          ...columns(versions),
        ),
      );
    }
    if (reads.size) {
      const markers = [...reads.values()];
      const ids = markers.map((r) => r.conversationId);
      const users = markers.map((r) => r.userId);
      const messageIds = markers.map((r) => r.messageId);
      // lastReadAt holds the createdAt of the newest message read: unread = messages created after it
      statements.push(
        db.$executeRawUnsafe(
          `UPDATE "ConversationMember" cm SET "lastReadAt" = v.at, "lastReadMessageId" = v.mid
           FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::uuid[]) AS v(cid, uid, at, mid)
           WHERE cm."conversationId" = v.cid AND cm."userId" = v.uid AND (cm."lastReadAt" IS NULL OR cm."lastReadAt" < v.at)`,
          ids,
          users,
          markers.map((r) => iso(r.at)),
          messageIds,
        ),
        db.$executeRawUnsafe(
          `INSERT INTO "MessageReceipt" ("messageId", "userId", "readAt")
           SELECT v.mid, v.uid, v.at FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS v(mid, uid, at)
           WHERE EXISTS (SELECT 1 FROM "Message" m WHERE m.id = v.mid) ON CONFLICT DO NOTHING`,
          messageIds,
          users,
          markers.map((r) => iso(r.readAt)),
        ),
      );
    }
    if (statements.length) await db.$transaction(statements);
    this.persisted += fresh.length;
    for (const m of fresh) if (!m.deletedAt) webhookEvent(this.options.redis, "message.sent", { message: sentMessage(m) }, m.id);
    return messages;
  }
}

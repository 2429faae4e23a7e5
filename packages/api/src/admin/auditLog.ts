// The audit log as the admin console reads it: one filter -> one Prisma `where` (shared by the page and its CSV
// export), pages keyset on the id (newest first; the id is the chain's order and unique, so no row repeats or
// goes missing while entries keep arriving), and the rows in the shape people read.
import type { Prisma, PrismaClient } from "@qualmeet/db";
import type { AuditFilter } from "../router/admin/audit.schema.ts";
import { escapeLike } from "../services/likePattern.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditWhere(filter: AuditFilter): Prisma.AuditLogWhereInput {
  const where: Prisma.AuditLogWhereInput = {};
  if (filter.actor) {
    const part = { contains: escapeLike(filter.actor), mode: "insensitive" } as const;
    where.OR = UUID.test(filter.actor) ? [{ actorId: filter.actor.toLowerCase() }] : [{ actor: { name: part } }, { actor: { email: part } }];
  }
  if (filter.action) where.action = filter.action.endsWith("*") ? { startsWith: escapeLike(filter.action.slice(0, -1)) } : filter.action;
  if (filter.targetType) where.targetType = filter.targetType;
  if (filter.targetId) where.targetId = filter.targetId;
  if (filter.from || filter.until) where.createdAt = { ...(filter.from && { gte: filter.from }), ...(filter.until && { lte: filter.until }) };
  return where;
}

const entrySelect = {
  id: true,
  createdAt: true,
  action: true,
  targetType: true,
  targetId: true,
  ip: true,
  data: true,
  actor: { select: { id: true, name: true, email: true } },
} satisfies Prisma.AuditLogSelect;

type EntryRow = Prisma.AuditLogGetPayload<{ select: typeof entrySelect }>;

export interface AuditEntry {
  /** the row's number in the chain (a 64-bit counter, as text) */
  id: string;
  createdAt: Date;
  actor: { id: string; name: string; email: string | null } | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** `data.reason` when the writer gave one (bans, reports, automatic meeting ends) */
  reason: string | null;
  ip: string | null;
  /** the entry's data as JSON text, null when it has none */
  data: string | null;
}

function toEntry(row: EntryRow): AuditEntry {
  const data = row.data as Prisma.JsonValue | null;
  const reason = data && typeof data === "object" && !Array.isArray(data) && typeof data.reason === "string" ? data.reason : null;
  return {
    id: row.id.toString(),
    createdAt: row.createdAt,
    actor: row.actor,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    reason,
    ip: row.ip,
    data: data === null ? null : JSON.stringify(data),
  };
}

export interface AuditPage {
  entries: AuditEntry[];
  /** give as `before` for the next older page; null on the oldest */
  olderThan: string | null;
  /** give as `after` for the next newer page; null on the newest */
  newerThan: string | null;
}

/** One page of entries matching `filter`, newest first: the newest, those older than `before`, or newer than `after`. */
export async function auditPage(db: PrismaClient, filter: AuditFilter, position: { before?: string; after?: string }, limit: number): Promise<AuditPage> {
  const where = auditWhere(filter);
  if (position.after) {
    // walk up from `after`, then show them newest first
    const rows = await db.auditLog.findMany({ where: { AND: [where, { id: { gt: BigInt(position.after) } }] }, select: entrySelect, orderBy: { id: "asc" }, take: limit + 1 });
    // back at the top: the newest page itself, full, rather than the few rows left above `after`
    if (rows.length <= limit) return auditPage(db, filter, {}, limit);
    const entries = rows.slice(0, limit).reverse().map(toEntry);
    return { entries, olderThan: entries.at(-1)!.id, newerThan: entries[0]!.id };
  }
  const older = position.before ? { id: { lt: BigInt(position.before) } } : {};
  const rows = await db.auditLog.findMany({ where: { AND: [where, older] }, select: entrySelect, orderBy: { id: "desc" }, take: limit + 1 });
  const entries = rows.slice(0, limit).map(toEntry);
  return { entries, olderThan: rows.length > limit ? entries.at(-1)!.id : null, newerThan: position.before ? (entries[0]?.id ?? position.before) : null };
}

const EXPORT_BATCH = 500;

/** Every entry matching `filter`, newest first, `EXPORT_BATCH` rows per query (an export never loads the whole log). */
export async function* auditEntries(db: PrismaClient, filter: AuditFilter): AsyncGenerator<AuditEntry[]> {
  let before: string | undefined;
  for (;;) {
    const page = await auditPage(db, filter, { before }, EXPORT_BATCH);
    if (page.entries.length > 0) yield page.entries;
    if (!page.olderThan) return;
    before = page.olderThan;
  }
}

/** The action names in the log, for the filter's list. */
export async function auditActions(db: PrismaClient): Promise<string[]> {
  const groups = await db.auditLog.groupBy({ by: ["action"], orderBy: { action: "asc" } });
  return groups.map((group) => group.action);
}

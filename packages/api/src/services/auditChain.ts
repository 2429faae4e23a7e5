// Verifies the audit log's hash chain. The database chains each row on insert (trigger "AuditLog_chain", migration
// 20261203191922_audit_hash_chain); this recomputes every hash from the row's content, byte for byte as the
// trigger's "audit_log_hash" does, so a row changed, removed or rewritten behind the append-only rule shows.
import { createHash } from "node:crypto";
import type { PrismaClient } from "@qualmeet/db";

export const AUDIT_CHAIN_GENESIS = "0".repeat(64);
const PAGE_SIZE = 1000;

/** One audit row as the hash sees it: every field as PostgreSQL's text form (jsonb text is canonical). */
interface ChainRow {
  id: bigint;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: string | null;
  createdAt: Date;
  ip: string | null;
  prevHash: string | null;
  hash: string | null;
}

export type AuditChainResult = { ok: true; rows: number } | { ok: false; rowId: bigint; reason: string };

/** 'N' for NULL, else 'S' <UTF-8 byte length> ':' <text>: no value can pass for two. */
function field(value: string | null): string {
  return value === null ? "N" : `S${Buffer.byteLength(value, "utf8")}:${value}`;
}

export function auditRowHash(prevHash: string, row: Omit<ChainRow, "prevHash" | "hash">): string {
  const content = [row.id.toString(), row.actorId, row.action, row.targetType, row.targetId, row.data, String(row.createdAt.getTime()), row.ip].map(field).join("");
  return createHash("sha256").update(`${prevHash}\n${content}`, "utf8").digest("hex");
}

/** Walks the log in id order, a page at a time, and names the first row whose link does not hold. */
export async function verifyAuditChain(db: PrismaClient): Promise<AuditChainResult> {
  let expectedPrev = AUDIT_CHAIN_GENESIS;
  let afterId = -1n;
  let rows = 0;
  for (;;) {
    const page = await db.$queryRaw<ChainRow[]>`
      SELECT "id", "actorId"::text AS "actorId", "action", "targetType", "targetId", "data"::text AS "data",
             "createdAt", "ip", "prevHash", "hash"
      FROM "AuditLog" WHERE "id" > ${afterId} ORDER BY "id" LIMIT ${PAGE_SIZE}`;
    for (const row of page) {
      if (row.hash === null || row.prevHash === null) return { ok: false, rowId: row.id, reason: "row is not chained (written with the chain trigger disabled)" };
      if (row.prevHash !== expectedPrev) {
        return { ok: false, rowId: row.id, reason: "previous hash does not match the row before it (a row before this one was removed or rewritten)" };
      }
      if (auditRowHash(row.prevHash, row) !== row.hash) return { ok: false, rowId: row.id, reason: "content does not match its hash (the row was changed)" };
      expectedPrev = row.hash;
      rows += 1;
    }
    if (page.length < PAGE_SIZE) return { ok: true, rows };
    afterId = page[page.length - 1]!.id;
  }
}

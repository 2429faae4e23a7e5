import { auditActions, auditPage, type AuditPage } from "../../admin/auditLog.ts";
import { verifyAuditChain } from "../../services/auditChain.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { AuditListInput } from "./audit.schema.ts";

type Ctx = Context & { user: SessionUser };

export function listHandler({ ctx, input }: { ctx: Ctx; input: AuditListInput }): Promise<AuditPage> {
  return auditPage(ctx.db, input.filter, { before: input.before, after: input.after }, input.limit);
}

export function actionsHandler({ ctx }: { ctx: Ctx }): Promise<string[]> {
  return auditActions(ctx.db);
}

export type VerifyResult = { ok: true; entries: number } | { ok: false; entryId: string; reason: string };

/** Walks the whole chain (npm run audit:verify does the same): intact, or the first entry whose link is broken. */
export async function verifyHandler({ ctx }: { ctx: Ctx }): Promise<VerifyResult> {
  const result = await verifyAuditChain(ctx.db);
  return result.ok ? { ok: true, entries: result.rows } : { ok: false, entryId: result.rowId.toString(), reason: result.reason };
}

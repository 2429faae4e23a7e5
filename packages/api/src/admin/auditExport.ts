// GET /admin/audit/export (apps/web/src/app/admin/audit/export/route.ts): the filtered audit log as a CSV download.
// The route is not a tRPC procedure (a download must be a plain GET a link can start), so it checks here what
// adminProcedure checks: a session (401), an administrator (403), a rate limit (429), all before any row is read.
// Rows are streamed in keyset batches, so the export of a million entries holds 500 of them in memory at a time.
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { logger } from "@qualmeet/log";
import { createContext } from "../context.ts";
import { errorIdOf, unavailableService, unexpectedFailureMessage } from "../errors.ts";
import { auditFilterSchema, type AuditFilter } from "../router/admin/audit.schema.ts";
import { consumeToken, retryMessage, scaled } from "../services/rateLimit.ts";
import { loadSessionUser } from "../trpc.ts";
import { auditCsvRecord, auditCsvStart } from "./auditCsv.ts";
import { auditEntries } from "./auditLog.ts";

// each export reads every matching row: a few a minute is plenty for a person, and bounds a script's cost
const EXPORTS = { scope: "admin:auditExport", capacity: 10, windowMs: 60_000 };

export interface ExportRequest {
  db: PrismaClient;
  redis: Redis;
  cookie: string | null;
  ip: string | null;
  /** the page's filter parameters, as in its URL */
  query: URLSearchParams;
}

const refusal = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers } });

export async function auditCsvExport(request: ExportRequest): Promise<Response> {
  try {
    return await startExport(request);
  } catch (error) {
    // before the first byte: the admin gets a sentence and an id, the log the detail under the same id
    const errorId = errorIdOf(error);
    logger.error({ err: error, errorId, ip: request.ip, query: request.query.toString() }, "audit export: could not start");
    return refusal(unavailableService(error) ? 503 : 500, unexpectedFailureMessage(errorId));
  }
}

async function startExport(request: ExportRequest): Promise<Response> {
  const ctx = await createContext({ transport: "http", db: request.db, redis: request.redis, cookie: request.cookie, ip: request.ip });
  const user = await loadSessionUser(ctx);
  if (!user) return refusal(401, "Sign in as an administrator to export the audit log.");
  if (user.isGuest || user.role !== "ADMIN") return refusal(403, "Only administrators can export the audit log.");
  const limited = await consumeToken(ctx.redis, scaled(EXPORTS), user.id);
  if (!limited.allowed) {
    return refusal(429, retryMessage("audit log exports", limited.retryAfterMs), { "Retry-After": String(Math.ceil(limited.retryAfterMs / 1000)) });
  }
  const parsed = auditFilterSchema.safeParse(Object.fromEntries(request.query));
  if (!parsed.success) return refusal(400, parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));

  // reading the log is itself worth knowing about: who took a copy, of what
  await ctx.db.auditLog.create({
    data: { actorId: user.id, action: "admin.auditExport", targetType: "auditLog", data: { filter: Object.fromEntries(request.query) }, ip: ctx.ip },
  });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
  return new Response(csvStream(ctx.db, parsed.data, { userId: user.id, ip: ctx.ip }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-log-${stamp}Z.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** The CSV of every entry matching `filter`, one keyset batch per pull (the client's pace sets the database's). */
function csvStream(db: PrismaClient, filter: AuditFilter, who: { userId: string; ip: string }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = auditEntries(db, filter);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const text = started ? "" : auditCsvStart();
        started = true;
        const next = await batches.next();
        if (next.done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(text + next.value.map(auditCsvRecord).join("")));
      } catch (error) {
        // the 200 and the first rows are already sent: the download ends short, and the log says why
        logger.error({ err: error, errorId: errorIdOf(error), ...who, filter }, "audit export: reading the log failed mid-download; the CSV is incomplete");
        controller.error(error);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

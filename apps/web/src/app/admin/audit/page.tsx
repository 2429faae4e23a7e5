import type { Metadata } from "next";
import { auditFilterSchema } from "@qualmeet/api";
import { AuditFilterForm } from "@/components/admin/audit/AuditFilterForm";
import { AuditPaging } from "@/components/admin/audit/AuditPaging";
import { AuditTable } from "@/components/admin/audit/AuditTable";
import { VerifyChainButton } from "@/components/admin/audit/VerifyChainButton";
import { auditQuery, FILTER_FIELDS, type AuditFilterValues, type AuditSearchParams } from "@/components/admin/audit/auditQuery";
import { requireAdmin } from "@/server/admin";
import { serverCaller } from "@/server/session";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;
const ENTRY_ID = /^\d{1,19}$/;

/**
 * Every admin and moderation action and security event, newest first. The filters are GET parameters, so a filtered
 * view (and its page) is a URL to share, and "Export CSV" sends the same ones to the export.
 */
export default async function AuditLogPage({ searchParams }: { searchParams: Promise<AuditSearchParams> }) {
  await requireAdmin("/admin/audit");
  const params = await searchParams;
  const raw = Object.fromEntries(FILTER_FIELDS.map((field) => [field, first(params[field]) ?? ""])) as AuditFilterValues;
  const parsed = auditFilterSchema.safeParse(raw);
  const position = { before: validId(first(params.before)), after: validId(first(params.after)) };

  const caller = await serverCaller();
  const [actions, page] = await Promise.all([
    caller.admin.audit.actions(),
    parsed.success ? caller.admin.audit.list({ filter: raw, ...(position.after ? { after: position.after } : { before: position.before }), limit: PAGE_SIZE }) : null,
  ]);
  const filterQuery = auditQuery(raw);

  return (
    <section className="card flex flex-col gap-5" aria-labelledby="audit-heading">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="audit-heading" className="text-2xl font-bold tracking-tight">
            Audit log
          </h1>
          <p className="mt-1 text-sm text-slate-600">Every admin and moderation action and security event. Entries are chained by hash and cannot be changed.</p>
        </div>
        <VerifyChainButton />
      </div>
      <AuditFilterForm values={raw} actions={actions} errors={parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]))} />
      {page ? (
        <>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <p className="text-sm text-slate-600" role="status">
              {page.entries.length === 0 ? "No entries match these filters." : `Showing ${page.entries.length} entries, newest first.`}
            </p>
            <a className="btn-secondary" href={`/admin/audit/export${filterQuery ? `?${filterQuery}` : ""}`}>
              Export CSV
            </a>
          </div>
          {page.entries.length > 0 ? <AuditTable entries={page.entries} /> : null}
          <AuditPaging filterQuery={filterQuery} olderThan={page.olderThan} newerThan={page.newerThan} />
        </>
      ) : null}
    </section>
  );
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
const validId = (value: string | undefined): string | undefined => (value && ENTRY_ID.test(value) ? value : undefined);

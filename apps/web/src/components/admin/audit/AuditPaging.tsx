import Link from "next/link";
import { auditQuery } from "./auditQuery";

/** Newest / Newer / Older links; a link that leads nowhere is left out rather than shown dead. */
export function AuditPaging({ filterQuery, olderThan, newerThan }: { filterQuery: string; olderThan: string | null; newerThan: string | null }) {
  const filters = Object.fromEntries(new URLSearchParams(filterQuery));
  const href = (extra: Record<string, string>) => {
    const query = auditQuery(filters, extra);
    return `/admin/audit${query ? `?${query}` : ""}`;
  };
  if (!olderThan && !newerThan) return null;
  return (
    <nav aria-label="Audit log pages" className="flex flex-wrap gap-2">
      {newerThan ? (
        <>
          <Link className="btn-secondary" href={href({})}>
            Newest
          </Link>
          <Link className="btn-secondary" href={href({ after: newerThan })} rel="prev">
            Newer
          </Link>
        </>
      ) : null}
      {olderThan ? (
        <Link className="btn-secondary" href={href({ before: olderThan })} rel="next">
          Older
        </Link>
      ) : null}
    </nav>
  );
}

// The audit page's URL parameters: the filters (the same names admin.audit.list and the CSV export read) and the
// page position.
export const FILTER_FIELDS = ["actor", "action", "targetType", "targetId", "from", "until"] as const;

export type AuditFilterValues = Record<(typeof FILTER_FIELDS)[number], string>;
export type AuditSearchParams = Partial<Record<(typeof FILTER_FIELDS)[number] | "before" | "after", string | string[]>>;

/** The filters as a query string, without empty fields (so an unfiltered view is plain /admin/audit). */
export function auditQuery(values: Record<string, string>, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...extra })) if (value.trim() !== "") query.set(key, value);
  return query.toString();
}

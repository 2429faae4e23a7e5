import Link from "next/link";
import type { AuditFilterValues } from "./auditQuery";

// as audit.schema.ts reads it: a time with no zone is UTC
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** A datetime-local input's value (UTC, to the minute) for what the URL holds. */
function timeValue(value: string): string {
  const at = new Date(LOCAL_TIME.test(value) ? `${value}Z` : value);
  return Number.isNaN(at.getTime()) ? "" : at.toISOString().slice(0, 16);
}

/** "moderation.ban" -> "moderation" */
const domainOf = (action: string) => action.split(".")[0] ?? action;

/**
 * A plain GET form: the filters land in the URL (a view to bookmark or share), it works before any script loads, and
 * each field's problem is shown under it.
 */
export function AuditFilterForm({ values, actions, errors }: { values: AuditFilterValues; actions: string[]; errors: Record<string, string> }) {
  const domains = [...new Set(actions.map(domainOf))];
  const known = new Set([...actions, ...domains.map((d) => `${d}.*`)]);
  const field = (name: keyof AuditFilterValues) => ({
    id: `audit-${name}`,
    name,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `audit-${name}-error` : undefined,
  });
  const error = (name: keyof AuditFilterValues) =>
    errors[name] ? (
      <p id={`audit-${name}-error`} className="field-error">
        {errors[name]}
      </p>
    ) : null;

  return (
    <form method="get" action="/admin/audit" aria-label="Filter the audit log" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <div>
        <label htmlFor="audit-actor" className="field-label">
          Actor (name, e-mail or id)
        </label>
        <input {...field("actor")} type="search" defaultValue={values.actor} className="field-input" />
        {error("actor")}
      </div>
      <div>
        <label htmlFor="audit-action" className="field-label">
          Action
        </label>
        <select {...field("action")} defaultValue={values.action} className="field-input">
          <option value="">Any action</option>
          {values.action && !known.has(values.action) ? <option value={values.action}>{values.action}</option> : null}
          {domains.map((domain) => (
            <optgroup key={domain} label={domain}>
              <option value={`${domain}.*`}>Every {domain}.* action</option>
              {actions
                .filter((action) => domainOf(action) === domain)
                .map((action) => (
                  <option key={action} value={action}>
                    {action}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        {error("action")}
      </div>
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label htmlFor="audit-targetType" className="field-label">
            Target type
          </label>
          <input {...field("targetType")} type="text" defaultValue={values.targetType} className="field-input" />
          {error("targetType")}
        </div>
        <div>
          <label htmlFor="audit-targetId" className="field-label">
            Target id
          </label>
          <input {...field("targetId")} type="text" defaultValue={values.targetId} className="field-input" />
          {error("targetId")}
        </div>
      </div>
      <div>
        <label htmlFor="audit-from" className="field-label">
          From (UTC)
        </label>
        <input {...field("from")} type="datetime-local" defaultValue={timeValue(values.from)} className="field-input" />
        {error("from")}
      </div>
      <div>
        <label htmlFor="audit-until" className="field-label">
          Until (UTC)
        </label>
        <input {...field("until")} type="datetime-local" defaultValue={timeValue(values.until)} className="field-input" />
        {error("until")}
      </div>
      <div className="flex items-end gap-2">
        <button type="submit" className="btn-primary">
          Apply filters
        </button>
        <Link href="/admin/audit" className="btn-secondary">
          Clear
        </Link>
      </div>
    </form>
  );
}

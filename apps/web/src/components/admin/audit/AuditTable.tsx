import type { RouterOutputs } from "@qualmeet/api";

type AuditEntry = RouterOutputs["admin"]["audit"]["list"]["entries"][number];

/** UTC, to the second, as the filters take it: an admin comparing with server logs reads the same clock. */
const utc = (at: Date) => `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;

/**
 * The entries as a table; on a narrow screen it scrolls sideways inside its own box (a focusable region, so a
 * keyboard can scroll it too) instead of widening the page; it is `relative` so the visually hidden labels inside
 * (absolutely positioned) stay in the box too, where they would otherwise widen the document. Each entry's data opens on demand.
 */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div
      role="region"
      aria-label="Audit entries"
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a region that scrolls must take focus, or a keyboard cannot scroll it (WCAG 2.1.1)
      tabIndex={0}
      className="relative overflow-x-auto rounded-lg border border-slate-200 focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      <table className="w-full min-w-[56rem] text-left text-sm">
        <caption className="sr-only">Audit log entries, newest first</caption>
        <thead className="bg-slate-50 text-xs tracking-wide text-slate-600 uppercase">
          <tr>
            {["#", "Time", "Actor", "Action", "Target", "Reason", "IP", "Data"].map((label) => (
              <th key={label} scope="col" className="px-3 py-2 font-medium">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {entries.map((entry) => (
            <tr key={entry.id} data-entry-id={entry.id}>
              <td className="px-3 py-2 font-mono text-xs text-slate-500 tabular-nums">{entry.id}</td>
              <td className="px-3 py-2 whitespace-nowrap tabular-nums">
                <time dateTime={entry.createdAt.toISOString()}>{utc(entry.createdAt)}</time>
              </td>
              <td className="px-3 py-2">
                {entry.actor ? (
                  <>
                    <span className="block">{entry.actor.name}</span>
                    {entry.actor.email ? <span className="block text-xs text-slate-500">{entry.actor.email}</span> : null}
                  </>
                ) : (
                  <span className="text-slate-500">system</span>
                )}
              </td>
              <td className="px-3 py-2 font-mono text-xs">{entry.action}</td>
              <td className="min-w-48 px-3 py-2 text-xs">
                {entry.targetType ? (
                  <>
                    <span className="block">{entry.targetType}</span>
                    <span className="block font-mono break-all text-slate-500">{entry.targetId}</span>
                  </>
                ) : null}
              </td>
              <td className="px-3 py-2">{entry.reason}</td>
              <td className="px-3 py-2 font-mono text-xs">{entry.ip}</td>
              <td className="px-3 py-2">
                {entry.data ? (
                  <details>
                    <summary className="cursor-pointer text-indigo-700">
                      Show<span className="sr-only"> data of entry {entry.id}</span>
                    </summary>
                    <pre className="mt-1 max-w-xs overflow-x-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap">{JSON.stringify(JSON.parse(entry.data), null, 2)}</pre>
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

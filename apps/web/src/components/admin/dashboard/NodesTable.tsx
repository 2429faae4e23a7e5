import type { DashboardNode } from "@qualmeet/api";

/** Every realtime node publishing now, with its load and its mediasoup workers. */
export function NodesTable({ nodes }: { nodes: DashboardNode[] }) {
  return (
    <section className="card lg:col-span-2" aria-labelledby="nodes-heading">
      <h2 id="nodes-heading" className="text-lg font-semibold">
        Realtime nodes <span className="text-sm font-normal text-slate-500">({nodes.length})</span>
      </h2>
      {nodes.length === 0 ? (
        <p className="mt-2 text-sm text-amber-700">No realtime node is publishing its numbers: none is running, or Redis is unreachable.</p>
      ) : (
        // a table scrolls sideways on a phone; the region is focusable so a keyboard can scroll it (WCAG 2.1.1)
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <div className="mt-4 overflow-x-auto" role="region" aria-label="Realtime nodes table" tabIndex={0}>
          <table className="w-full min-w-[40rem] text-left text-sm">
            <thead className="text-xs text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Node
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Connections
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Users
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Meetings
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Participants
                </th>
                <th scope="col" className="py-2 font-medium">
                  mediasoup workers (routers · consumers · CPU)
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {nodes.map((node) => (
                <tr key={node.nodeId}>
                  <th scope="row" className="py-2 pr-3 font-mono text-xs font-normal" title={node.nodeId}>
                    {node.nodeId.slice(0, 8)}
                  </th>
                  <td className="py-2 pr-3 text-right tabular-nums">{node.sockets}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{node.usersOnline}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{node.meetings}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">{node.participants}</td>
                  <td className="py-2">
                    {node.workers.length === 0 ? (
                      <span className="text-slate-500">none (no SFU on this node)</span>
                    ) : (
                      <ul className="flex flex-wrap gap-1">
                        {node.workers.map((w) => (
                          <li key={w.pid} className="rounded bg-slate-100 px-2 py-0.5 text-xs tabular-nums">
                            pid {w.pid}: {w.routers} · {w.consumers} · {w.cpuPercent === null ? "…" : `${w.cpuPercent}%`}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import type { Metadata } from "next";
import { requireAdmin } from "@/server/admin";
import { serverCaller } from "@/server/session";

export const metadata: Metadata = { title: "Dashboard" };

export default async function AdminPage() {
  // Nothing of the console is rendered or fetched for anyone else: 403 with app/forbidden.tsx.
  const user = await requireAdmin("/admin");

  const overview = await (await serverCaller()).admin.overview();
  const numbers: { label: string; value: number }[] = [
    { label: "Users", value: overview.users },
    { label: "Guests", value: overview.guests },
    { label: "Meetings", value: overview.meetings },
    { label: "Live meetings", value: overview.liveMeetings },
    { label: "Open reports", value: overview.openReports },
  ];

  return (
    <>
      <section className="card" aria-labelledby="admin-heading">
        <h1 id="admin-heading" className="text-2xl font-bold tracking-tight">
          Admin console
        </h1>
        <p className="mt-1 text-sm text-slate-600">Signed in as {user.name}. More tools are coming; here are the headline numbers.</p>
        <dl className="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-3">
          {numbers.map(({ label, value }) => (
            <div key={label} className="rounded-xl border border-slate-200 bg-slate-50 p-4">
              <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
              <dd className="mt-1 text-2xl font-bold tabular-nums">{value}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-6 text-sm" data-testid="turn-status">
          {overview.turnConfigured ? (
            <>TURN relay: configured. Calls connect from behind firewalls and strict NATs.</>
          ) : (
            <>
              <strong>TURN is not configured.</strong> Calls work on a LAN, but people behind strict firewalls or NATs cannot connect: install coturn (`npm start` runs it) or set
              TURN_URLS and TURN_SECRET.
            </>
          )}
        </p>
      </section>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { TRPCError } from "@trpc/server";
import { UserActions } from "@/components/admin/UserActions";
import { formatWhen } from "@/components/admin/format";
import { statusLabel } from "@/lib/labels";
import { requireAdmin } from "@/server/admin";
import { serverCaller } from "@/server/session";

export const metadata: Metadata = { title: "User" };

type Params = Promise<{ userId: string }>;

/** A list on the user's page: the newest entries, with how many there are in all. */
function Listing({ title, total, shown, empty, children }: { title: string; total: number; shown: number; empty: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title} <span className="text-sm font-normal text-slate-500">({total === shown ? total : `latest ${shown} of ${total}`})</span>
      </h2>
      {total === 0 ? <p className="mt-2 text-sm text-slate-600">{empty}</p> : <ul className="mt-3 flex flex-col divide-y divide-slate-100 text-sm">{children}</ul>}
    </section>
  );
}

export default async function AdminUserPage({ params }: { params: Params }) {
  const { userId } = await params;
  const admin = await requireAdmin(`/admin/users/${userId}`);
  const page = await (await serverCaller()).admin.users.get({ userId }).catch((error: unknown) => {
    // an unknown or malformed id: there is no such user to show
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const { user } = page;
  const facts: Array<[string, string]> = [
    ["E-mail", user.email ?? "none (guest)"],
    ["Role", user.role === "ADMIN" ? "Administrator" : user.isGuest ? "Guest" : "User"],
    ["Created", formatWhen(user.createdAt)],
    ["Last seen", formatWhen(user.lastSeenAt, "not recorded")],
  ];

  return (
    <>
      <section className="card" aria-labelledby="user-heading">
        <p className="text-sm">
          <Link href="/admin/users" className="link">
            ← Users
          </Link>
        </p>
        <h1 id="user-heading" className="mt-2 text-2xl font-bold tracking-tight break-words">
          {user.name}
          {user.id === admin.id ? <span className="ml-2 text-base font-normal text-slate-500">(you)</span> : null}
        </h1>
        <dl className="mt-4 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {facts.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="font-medium text-slate-500">{label}</dt>
              <dd className="break-all">{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading" className="text-lg font-semibold">
          Actions
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">
          Each asks for a reason, kept in the audit log. A ban keeps the person out of random chat (they see it and may appeal); signing out ends every session.
        </p>
        <UserActions user={{ id: user.id, name: user.name, role: user.role, isGuest: user.isGuest }} />
      </section>

      <Listing title="Meetings" total={page.meetings.total} shown={page.meetings.items.length} empty="No meetings joined.">
        {page.meetings.items.map((p) => (
          <li key={p.id} className="py-2">
            <span className="font-medium break-words">{p.meeting.title}</span> <span className="text-slate-500">({p.meeting.code})</span> ·{" "}
            {p.role === "HOST" ? "host" : "participant"} · {statusLabel[p.meeting.status]} · joined {formatWhen(p.joinedAt)}
          </li>
        ))}
      </Listing>

      <Listing title="Reports against them" total={page.reportsAgainst.total} shown={page.reportsAgainst.items.length} empty="Nobody reported them.">
        {page.reportsAgainst.items.map((r) => (
          <li key={r.id} className="py-2">
            {r.reason.toLowerCase()} · by{" "}
            <Link href={`/admin/users/${r.reporter.id}`} className="link">
              {r.reporter.name}
            </Link>{" "}
            · {r.status.toLowerCase()} · {formatWhen(r.createdAt)}
            {r.comment ? <p className="mt-1 break-words text-slate-600">“{r.comment}”</p> : null}
          </li>
        ))}
      </Listing>

      <Listing title="Reports by them" total={page.reportsBy.total} shown={page.reportsBy.items.length} empty="They reported nobody.">
        {page.reportsBy.items.map((r) => (
          <li key={r.id} className="py-2">
            {r.reason.toLowerCase()} · against{" "}
            <Link href={`/admin/users/${r.reportedUser.id}`} className="link">
              {r.reportedUser.name}
            </Link>{" "}
            · {r.status.toLowerCase()} · {formatWhen(r.createdAt)}
          </li>
        ))}
      </Listing>

      <Listing title="Bans" total={page.bans.total} shown={page.bans.items.length} empty="Never banned.">
        {page.bans.items.map((b) => (
          <li key={b.id} className="py-2">
            <span className="break-words">{b.reason}</span> · from {formatWhen(b.createdAt)} ·{" "}
            {b.liftedAt ? `lifted ${formatWhen(b.liftedAt)}` : `until ${formatWhen(b.expiresAt, "lifted")}`}
            {b.issuedBy ? ` · by ${b.issuedBy.name}` : ""}
          </li>
        ))}
      </Listing>
    </>
  );
}

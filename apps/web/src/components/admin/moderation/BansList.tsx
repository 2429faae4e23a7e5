"use client";

import { useId, useState } from "react";
import type { RouterInputs, RouterOutputs } from "@qualmeet/api";
import { errorMessage, trpc } from "@/lib/trpc";
import { banUntil, when } from "./format";
import { ModerationActionForm } from "./ModerationActionForm";

type ListInput = RouterInputs["admin"]["bans"]["list"];
type Ban = RouterOutputs["admin"]["bans"]["list"]["items"][number];
const STATUSES = [
  { value: "active", label: "Active" },
  { value: "lifted", label: "Lifted" },
  { value: "expired", label: "Expired" },
  { value: "all", label: "All" },
] as const;
const PAGE = 25;

function BanItem({ ban, onLifted }: { ban: Ban; onLifted: () => Promise<void> }) {
  const [lifting, setLifting] = useState(false);
  const lift = trpc.admin.bans.lift.useMutation();
  const titleId = `ban-${ban.id}-title`;
  return (
    <li className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-xs [overflow-wrap:anywhere]" aria-labelledby={titleId} data-ban-id={ban.id}>
      <h3 id={titleId} className="font-semibold">
        {ban.kind === "ip" ? "IP" : ban.kind === "user" ? "User" : "Device"} <span className="font-mono text-sm break-all">{ban.value}</span>
      </h3>
      <p className="text-sm text-slate-700">Reason: {ban.reason}</p>
      <p className="text-sm text-slate-600">
        By {ban.issuedBy ?? "a former moderator"} {when(ban.createdAt)},{" "}
        {ban.active ? banUntil(ban.expiresAt) : ban.liftedAt ? `lifted by ${ban.liftedBy ?? "a former moderator"} ${when(ban.liftedAt)}` : `expired ${when(ban.expiresAt)}`}
        {ban.reports > 0 ? ` · ${ban.reports} report${ban.reports === 1 ? "" : "s"}` : ""}
        {ban.appealPending ? " · appeal waiting" : ""}
      </p>
      {ban.active && !lifting ? (
        <button type="button" className="btn-secondary mt-2" onClick={() => setLifting(true)} aria-label={`Lift the ${ban.kind} ban on ${ban.value}`}>
          Lift ban
        </button>
      ) : null}
      {lifting ? (
        <ModerationActionForm
          title="Lift this ban"
          submitLabel="Lift ban"
          reasonHint="Why the ban ends now (kept in the audit log)."
          onSubmit={async ({ reason }) => {
            await lift.mutateAsync({ banId: ban.id, reason });
            setLifting(false);
            await onLifted();
          }}
          onCancel={() => setLifting(false)}
        />
      ) : null}
    </li>
  );
}

/** Every random-chat ban, newest first, paged on the server: search by what is banned or why, filter by kind and status. */
export function BansList() {
  const id = useId();
  const utils = trpc.useUtils();
  const [search, setSearch] = useState("");
  const [filters, setFilters] = useState<Pick<ListInput, "status" | "kind" | "query">>({ status: "active" });
  const query = trpc.admin.bans.list.useInfiniteQuery({ ...filters, limit: PAGE }, { getNextPageParam: (last) => last.nextCursor });
  const bans = query.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} className="text-2xl font-bold tracking-tight">
        Bans
      </h1>
      <form
        role="search"
        aria-label="Search bans"
        className="mt-4 grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters((f) => ({ ...f, query: search.trim() || undefined }));
        }}
      >
        <div>
          <label htmlFor={`${id}-search`} className="field-label">
            User id, device id, address or reason
          </label>
          <input id={`${id}-search`} type="search" className="field-input" value={search} maxLength={128} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-kind`} className="field-label">
            Kind
          </label>
          <select
            id={`${id}-kind`}
            className="field-input"
            value={filters.kind ?? ""}
            onChange={(e) => setFilters((f) => ({ ...f, kind: (e.target.value || undefined) as ListInput["kind"] }))}
          >
            <option value="">Any kind</option>
            <option value="user">User</option>
            <option value="device">Device</option>
            <option value="ip">IP address</option>
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-status`} className="field-label">
            Status
          </label>
          <select id={`${id}-status`} className="field-input" value={filters.status} onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value as ListInput["status"] }))}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn-primary">
          Search
        </button>
      </form>

      {query.error ? (
        <p role="alert" className="field-error mt-4">
          {errorMessage(query.error)}
        </p>
      ) : null}
      {query.isPending ? <p className="mt-4 text-sm text-slate-600">Loading bans…</p> : null}
      {query.isSuccess && bans.length === 0 ? <p className="mt-4 text-sm text-slate-600">No bans match.</p> : null}
      <ul className="mt-4 flex flex-col gap-3" aria-label="Bans, newest first">
        {bans.map((ban) => (
          <BanItem key={ban.id} ban={ban} onLifted={() => utils.admin.bans.list.invalidate()} />
        ))}
      </ul>
      {query.hasNextPage ? (
        <button type="button" className="btn-secondary mt-4" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Load older bans
        </button>
      ) : null}
    </section>
  );
}

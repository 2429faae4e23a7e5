import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { Pager } from "@/components/admin/Pager";
import { formatWhen } from "@/components/admin/format";
import { requireAdmin } from "@/server/admin";
import { serverCaller } from "@/server/session";

export const metadata: Metadata = { title: "Users" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);

/** Search by name or e-mail; the results page on the server (keyset), 50 at a time, newest accounts first. */
export default async function AdminUsersPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin("/admin/users");
  const params = await searchParams;
  const query = (one(params.q) ?? "").slice(0, 100);
  const cursor = one(params.after) ?? null;
  const href = (after?: string) => `/admin/users?${new URLSearchParams({ ...(query ? { q: query } : {}), ...(after ? { after } : {}) })}`;
  const caller = await serverCaller();
  const { refused, ...page } = await caller.admin.users
    .search({ query, cursor })
    .then((found) => ({ ...found, refused: null }))
    .catch((error: unknown) => {
      if (!(error instanceof TRPCError && error.code === "BAD_REQUEST")) throw error;
      // a damaged or made-up page link starts over at the first page; a search that cannot be run says why
      if (cursor) redirect(href());
      return { items: [], nextCursor: null, refused: error.message };
    });

  return (
    <section className="card" aria-labelledby="users-heading">
      <h1 id="users-heading" className="text-2xl font-bold tracking-tight">
        Users
      </h1>
      <form role="search" action="/admin/users" className="mt-4 flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor="user-search" className="field-label">
            Name or e-mail
          </label>
          <input id="user-search" name="q" type="search" defaultValue={query} maxLength={100} className="field-input" autoComplete="off" />
        </div>
        <button type="submit" className="btn-primary">
          Search
        </button>
      </form>

      {refused ? (
        <p role="alert" className="alert-error mt-4">
          {refused}
        </p>
      ) : null}
      {page.items.length === 0 ? (
        <p className="mt-6 text-slate-600">{query ? `Nobody's name or e-mail contains “${query}”.` : "No users yet."}</p>
      ) : (
        <div className="mt-6 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{query ? `Users whose name or e-mail contains “${query}”` : "Users, newest first"}</caption>
            <thead className="border-b border-slate-200 text-xs tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  Name
                </th>
                <th scope="col" className="py-2 pr-3">
                  E-mail
                </th>
                <th scope="col" className="py-2 pr-3">
                  Role
                </th>
                <th scope="col" className="hidden py-2 pr-3 md:table-cell">
                  Created
                </th>
                <th scope="col" className="hidden py-2 pr-3 md:table-cell">
                  Last seen
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((user) => (
                <tr key={user.id} className="border-b border-slate-100 align-top">
                  <td className="py-2 pr-3">
                    <Link href={`/admin/users/${user.id}`} className="link break-words">
                      {user.name}
                    </Link>
                  </td>
                  <td className="py-2 pr-3 break-all">{user.email ?? <span className="text-slate-500">guest</span>}</td>
                  <td className="py-2 pr-3">{user.role === "ADMIN" ? "Admin" : user.isGuest ? "Guest" : "User"}</td>
                  <td className="hidden py-2 pr-3 whitespace-nowrap md:table-cell">{formatWhen(user.createdAt)}</td>
                  <td className="hidden py-2 pr-3 whitespace-nowrap md:table-cell">{formatWhen(user.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="Pages of users" firstHref={href()} nextHref={page.nextCursor ? href(page.nextCursor) : null} onFirstPage={!cursor} />
    </section>
  );
}

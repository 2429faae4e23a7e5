"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** The console's sections, in the order a moderator works through them. */
export const ADMIN_SECTIONS = [
  { href: "/admin", label: "Dashboard" },
  { href: "/admin/reports", label: "Reports" },
  { href: "/admin/bans", label: "Bans" },
  { href: "/admin/appeals", label: "Appeals" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/tokens", label: "API tokens" },
  { href: "/admin/webhooks", label: "Webhooks" },
  { href: "/admin/meetings", label: "Meetings" },
  { href: "/admin/audit", label: "Audit log" },
] as const;

const isCurrent = (pathname: string, href: string) => (href === "/admin" ? pathname === href : pathname === href || pathname.startsWith(`${href}/`));

/** A row of links on every admin page; it scrolls sideways on a phone instead of wrapping into a wall. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Admin console" className="-mx-1 mb-6 overflow-x-auto">
      <ul className="flex min-w-max gap-1 px-1">
        {ADMIN_SECTIONS.map(({ href, label }) => {
          const current = isCurrent(pathname, href);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                className={`block rounded-lg px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600 ${
                  current ? "bg-indigo-600 text-white" : "text-slate-700 hover:bg-slate-100"
                }`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

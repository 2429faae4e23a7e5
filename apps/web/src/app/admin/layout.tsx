import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/AdminNav";
import { Brand } from "@/components/Brand";
import { requireAdmin } from "@/server/admin";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · QualMeet" }, robots: { index: false } };

/**
 * The console is wider than the rest of the site (tables at 1280 px): it steps out of the root layout's column,
 * centred, up to 80rem. Each page still calls requireAdmin itself.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdmin("/admin");
  return (
    <div style={{ width: "min(80rem, 100vw - 2rem)", marginLeft: "calc(50% - min(40rem, 50vw - 1rem))" }}>
      <Brand />
      <AdminNav />
      <main className="flex flex-col gap-6">{children}</main>
    </div>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand } from "@/components/Brand";
import { Webhooks } from "@/components/settings/Webhooks";
import { currentUser } from "@/server/session";

export const metadata: Metadata = { title: "Webhooks" };

/** /settings/webhooks: the signed-in account's webhook endpoints (add, secret shown once, deliveries, test, rotate, delete). */
export default async function WebhooksPage() {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent("/settings/webhooks")}`);
  return (
    <>
      <Brand />
      <main className="flex flex-col gap-6">
        {user.isGuest ? (
          <section className="card">
            <h1 className="text-2xl font-bold tracking-tight">Webhooks</h1>
            <p className="mt-2 text-slate-600">
              Guests cannot add webhooks.{" "}
              <Link href="/register" className="link">
                Create an account
              </Link>{" "}
              first.
            </p>
          </section>
        ) : (
          <Webhooks isAdmin={user.role === "ADMIN"} />
        )}
      </main>
    </>
  );
}

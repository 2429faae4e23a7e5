import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand } from "@/components/Brand";
import { ApiTokens } from "@/components/settings/ApiTokens";
import { currentUser } from "@/server/session";

export const metadata: Metadata = { title: "API tokens" };

/** /settings/tokens: the signed-in account's personal access tokens (create, shown once; list; revoke). */
export default async function ApiTokensPage() {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent("/settings/tokens")}`);
  return (
    <>
      <Brand />
      <main className="flex flex-col gap-6">
        {user.isGuest ? (
          <section className="card">
            <h1 className="text-2xl font-bold tracking-tight">API tokens</h1>
            <p className="mt-2 text-slate-600">
              Guests cannot create API tokens.{" "}
              <Link href="/register" className="link">
                Create an account
              </Link>{" "}
              first.
            </p>
          </section>
        ) : (
          <ApiTokens />
        )}
      </main>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { Brand } from "@/components/Brand";
import { LoginForm } from "@/components/LoginForm";
import { safeCallbackPath } from "@/lib/callbackPath";
import { currentUser } from "@/server/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackPath = safeCallbackPath(params.callbackUrl, (await headers()).get("host"));
  const user = await currentUser();
  // Guests may sign in with an account; signed-in users have nothing to do here.
  if (user && !user.isGuest) redirect(callbackPath);
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <h1 className="text-2xl font-bold tracking-tight">Sign in</h1>
          <p className="mt-1 text-sm text-slate-600">Welcome back to QualMeet.</p>
          <LoginForm callbackPath={callbackPath} />
          <p className="mt-6 text-sm text-slate-600">
            New here?{" "}
            <Link href="/register" className="link">
              Create an account
            </Link>
          </p>
        </div>
      </main>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand } from "@/components/Brand";
import { RegisterForm } from "@/components/RegisterForm";
import { currentUser } from "@/server/session";

export const metadata: Metadata = { title: "Create account" };

export default async function RegisterPage() {
  const user = await currentUser();
  if (user && !user.isGuest) redirect("/");
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <h1 className="text-2xl font-bold tracking-tight">Create your account</h1>
          <p className="mt-1 text-sm text-slate-600">An account lets you host meetings and keep a list of them.</p>
          <RegisterForm />
          <p className="mt-6 text-sm text-slate-600">
            Already have an account?{" "}
            <Link href="/login" className="link">
              Sign in
            </Link>
          </p>
        </div>
      </main>
    </>
  );
}

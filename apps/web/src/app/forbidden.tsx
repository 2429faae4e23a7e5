import Link from "next/link";
import { Brand } from "@/components/Brand";

export default function Forbidden() {
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <h1 className="text-2xl font-bold tracking-tight">Access denied</h1>
          <p className="mt-2 text-slate-600">You need to be an administrator to see this page.</p>
          <Link href="/" className="btn-primary mt-6">
            Go to the home page
          </Link>
        </div>
      </main>
    </>
  );
}

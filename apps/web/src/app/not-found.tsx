import Link from "next/link";
import { Brand } from "@/components/Brand";

export default function NotFound() {
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <h1 className="text-2xl font-bold tracking-tight">Page not found</h1>
          <p className="mt-2 text-slate-600">There is nothing at this address. Check the link, or start again from the home page.</p>
          <Link href="/" className="btn-primary mt-6">
            Go to the home page
          </Link>
        </div>
      </main>
    </>
  );
}

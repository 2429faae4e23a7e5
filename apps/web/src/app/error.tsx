"use client";

import Link from "next/link";
import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <main className="mx-auto mt-12 w-full max-w-md">
      <div className="card" role="alert">
        <h1 className="text-2xl font-bold tracking-tight">Something went wrong</h1>
        <p className="mt-2 text-slate-600">We could not show this page right now. This is usually temporary: try again in a moment.</p>
        {error.digest ? <p className="mt-2 text-xs text-slate-500">Reference: {error.digest}</p> : null}
        <div className="mt-6 flex flex-wrap gap-3">
          <button type="button" className="btn-primary" onClick={() => reset()}>
            Try again
          </button>
          <Link href="/" className="btn-secondary">
            Go to the home page
          </Link>
        </div>
      </div>
    </main>
  );
}

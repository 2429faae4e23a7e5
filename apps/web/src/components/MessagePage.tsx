import Link from "next/link";
import type { ReactNode } from "react";
import { Brand } from "@/components/Brand";

/** A page that only says something (not found, access denied…) under `title`, with the way back home. */
export function MessagePage({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
          {children}
          <Link href="/" className="btn-primary mt-6">
            Go to the home page
          </Link>
        </div>
      </main>
    </>
  );
}

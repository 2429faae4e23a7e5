"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { Brand } from "@/components/Brand";

export function MeetingNotFound() {
  const params = useParams<{ code?: string }>();
  let code = "";
  try {
    code = decodeURIComponent(params?.code ?? "");
  } catch {
    code = params?.code ?? "";
  }
  return (
    <>
      <Brand width="md" />
      <main className="mx-auto w-full max-w-md">
        <div className="card">
          <h1 className="text-2xl font-bold tracking-tight">
            No meeting with code <span className="font-mono break-all">{code}</span>
          </h1>
          <p className="mt-2 text-sm text-slate-600">Check the code or link you were given. A meeting code has 8 letters and digits, like abcd2345.</p>
          <Link href="/" className="btn-primary mt-6">
            Go to the home page
          </Link>
        </div>
      </main>
    </>
  );
}

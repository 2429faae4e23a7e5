import Link from "next/link";

export function Brand() {
  return (
    <header className="mb-8 flex items-center justify-between">
      <Link href="/" className="rounded text-lg font-bold tracking-tight text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
        <span aria-hidden="true" className="mr-1.5 inline-block h-2.5 w-2.5 rounded-full bg-indigo-600 align-middle" />
        QualMeet
      </Link>
    </header>
  );
}

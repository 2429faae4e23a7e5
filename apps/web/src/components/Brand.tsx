import Link from "next/link";

const widths = { md: "max-w-md", xl: "max-w-xl", full: "" } as const;

/** The top bar; `width` lines it up with the page's card. */
export function Brand({ width = "full" }: { width?: keyof typeof widths }) {
  return (
    <header className={`mx-auto mb-8 flex w-full items-center justify-between ${widths[width]}`}>
      <Link href="/" className="rounded text-lg font-bold tracking-tight text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
        <span aria-hidden="true" className="mr-1.5 inline-block h-2.5 w-2.5 rounded-full bg-indigo-600 align-middle" />
        QualMeet
      </Link>
      <nav aria-label="Site" className="flex gap-4">
        <Link href="/random" className="link text-sm">
          Random chat
        </Link>
        <Link href="/chat" className="link text-sm">
          Chat
        </Link>
      </nav>
    </header>
  );
}

import Link from "next/link";

/**
 * Keyset paging links under a console table: the next page continues after the last row shown (`next`, the
 * server's cursor); the first page starts over. Plain links: they work with the keyboard and without scripts.
 */
export function Pager({ label, firstHref, nextHref, onFirstPage }: { label: string; firstHref: string; nextHref: string | null; onFirstPage: boolean }) {
  if (onFirstPage && !nextHref) return null;
  return (
    <nav aria-label={label} className="mt-4 flex flex-wrap gap-2">
      {onFirstPage ? null : (
        <Link href={firstHref} className="btn-secondary">
          First page
        </Link>
      )}
      {nextHref ? (
        <Link href={nextHref} className="btn-secondary">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}

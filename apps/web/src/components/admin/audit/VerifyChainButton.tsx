"use client";

import Link from "next/link";
import { errorMessage, trpc } from "@/lib/trpc";

/** Walks the whole hash chain on the server; the outcome is announced (aria-live) and names the first broken entry. */
export function VerifyChainButton() {
  const verify = trpc.admin.audit.verify.useMutation();
  const result = verify.data;
  return (
    <div className="flex flex-col items-end gap-2">
      <button type="button" className="btn-primary" disabled={verify.isPending} aria-busy={verify.isPending} aria-describedby="audit-verify-result" onClick={() => verify.mutate()}>
        {verify.isPending ? "Verifying…" : "Verify chain"}
      </button>
      <p id="audit-verify-result" role="status" aria-live="polite" className="text-sm">
        {verify.isPending ? (
          "Checking every entry…"
        ) : verify.error ? (
          <span className="text-red-700">{errorMessage(verify.error)}</span>
        ) : result?.ok ? (
          <span className="text-green-800">Chain intact, {result.entries} entries.</span>
        ) : result ? (
          <span className="text-red-700">
            <strong>Broken at entry #{result.entryId}</strong>: {result.reason}.{" "}
            <Link className="link" href={`/admin/audit?before=${BigInt(result.entryId) + 1n}`}>
              Show entry #{result.entryId}
            </Link>
          </span>
        ) : null}
      </p>
    </div>
  );
}

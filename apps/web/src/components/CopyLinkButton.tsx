"use client";

import { useEffect, useState } from "react";

export function CopyLinkButton({ path }: { path: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    const url = new URL(path, window.location.origin).toString();
    try {
      await navigator.clipboard.writeText(url);
      setState("copied");
    } catch {
      // no clipboard permission (or not a secure context): let the user copy it by hand
      window.prompt("Copy this meeting link:", url);
      setState("failed");
    }
  }

  return (
    <>
      <button type="button" className="btn-primary" onClick={() => void copy()}>
        Copy link
      </button>
      <span role="status" aria-live="polite" className={state === "copied" ? "self-center text-sm text-slate-600" : "sr-only"}>
        {state === "copied" ? "Link copied." : ""}
      </span>
    </>
  );
}

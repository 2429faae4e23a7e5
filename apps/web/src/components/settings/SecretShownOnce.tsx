"use client";

import { useId, useState } from "react";

/** A secret just made (an API token, a webhook signing secret): shown this once, with a copy button. */
export function SecretShownOnce({
  title,
  warning,
  label,
  secret,
  testId,
  onDone,
}: {
  title: string;
  /** what holding the secret allows, after "Copy it now: it is shown only this once." */
  warning: string;
  /** the field's label and the copy button's object ("Token", "Signing secret") */
  label: string;
  secret: string;
  testId: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const id = useId();
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("copied");
    } catch {
      // no clipboard permission: the field is selectable, copy it by hand
      setCopied("failed");
    }
  }
  const thing = label.toLowerCase();
  return (
    <section className="card border-amber-300 bg-amber-50" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      <p role="alert" className="mt-1 text-sm text-amber-900">
        Copy it now: it is shown only this once. {warning}
      </p>
      <label htmlFor={`${id}-secret`} className="field-label mt-3">
        {label}
      </label>
      <div className="flex gap-2">
        <input id={`${id}-secret`} data-testid={testId} className="field-input font-mono" readOnly value={secret} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn-primary" onClick={() => void copy()}>
          Copy {thing}
        </button>
      </div>
      <p role="status" aria-live="polite" className="mt-1 text-sm text-slate-600">
        {copied === "copied" ? `${label} copied.` : copied === "failed" ? `Could not copy: select the ${thing} and copy it by hand.` : ""}
      </p>
      <button type="button" className="btn-secondary mt-3" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}

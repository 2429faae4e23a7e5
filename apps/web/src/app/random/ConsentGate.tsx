"use client";

import { useId, useState, type FormEvent } from "react";
import { rememberConsent } from "@/lib/random/storage";

/** Asked once per device before the first Start: 18 or older, and the rules. */
export function ConsentGate({ onAccept }: { onAccept: () => void }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);

  function accept(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("adult") !== "on" || form.get("rules") !== "on") {
      setError("Confirm that you are 18 or older and accept the rules to continue.");
      return;
    }
    rememberConsent();
    onAccept();
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Before you start
      </h2>
      <p className="mt-1 text-sm text-slate-600">Random chat connects you with a stranger for a video or text conversation.</p>
      <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-700">
        <li>You must be 18 or older.</li>
        <li>No nudity, sexual content, harassment, hate or spam.</li>
        <li>Do not share personal details you would not give a stranger.</li>
        <li>Report anyone who breaks these rules: moderators review every report, and breaking them gets you banned.</li>
      </ul>
      <form onSubmit={accept} noValidate className="mt-4 flex flex-col gap-3">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="adult" className="h-4 w-4" />I am 18 or older
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="rules" className="h-4 w-4" />I accept the rules
        </label>
        {error ? (
          <p role="alert" className="field-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn-primary self-start">
          Continue
        </button>
      </form>
    </section>
  );
}

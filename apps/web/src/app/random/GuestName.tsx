"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

/** Random chat needs a session: a guest gives the name their partners see (as when joining a meeting as a guest). */
export function GuestName() {
  const id = useId();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (!name) {
      setError("Enter a name.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await signIn("guest", { name, redirect: false });
      if (!res?.ok || res.error) {
        setError(res?.error ?? "Could not continue. Please try again.");
        return;
      }
      router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Your name
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Your partners see this name.{" "}
        <a href="/login?callbackUrl=%2Frandom" className="link">
          Sign in
        </a>{" "}
        to use your account instead.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor={`${id}-name`} className="field-label">
            Name
          </label>
          <input
            id={`${id}-name`}
            name="name"
            type="text"
            autoComplete="nickname"
            maxLength={80}
            required
            className="field-input"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </div>
        <button type="submit" className="btn-primary" disabled={busy} aria-busy={busy}>
          Continue as guest
        </button>
      </form>
      {error ? (
        <p id={`${id}-error`} role="alert" className="field-error mt-2">
          {error}
        </p>
      ) : null}
    </section>
  );
}

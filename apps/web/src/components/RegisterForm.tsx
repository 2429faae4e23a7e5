"use client";

import { signIn } from "next-auth/react";
import { useId, useState, type FormEvent } from "react";
import { solveChallenge } from "@/lib/challenge/solve";
import { errorMessage, fieldErrors, trpc } from "@/lib/trpc";

type Field = "name" | "email" | "password";
const FIELDS: { field: Field; label: string; type: string; autoComplete: string; hint?: string }[] = [
  { field: "name", label: "Name", type: "text", autoComplete: "name" },
  { field: "email", label: "Email", type: "email", autoComplete: "email" },
  { field: "password", label: "Password", type: "password", autoComplete: "new-password", hint: "At least 8 characters." },
];

export function RegisterForm() {
  const id = useId();
  const register = trpc.auth.register.useMutation();
  const challenge = trpc.auth.challenge.useMutation();
  const [checking, setChecking] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") };
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      // every registration carries a solved proof-of-work: creating accounts at scale costs real work
      const { challenge: issued } = await challenge.mutateAsync({ purpose: "register" });
      setChecking(true);
      const solved = await solveChallenge(issued!).finally(() => setChecking(false));
      await register.mutateAsync({ ...input, challenge: solved });
    } catch (error) {
      const byField = fieldErrors(error);
      const known: Partial<Record<Field, string>> = {};
      for (const f of ["name", "email", "password"] as const) if (byField[f]) known[f] = byField[f];
      setErrors(known);
      if (Object.keys(known).length === 0) setFormError(errorMessage(error));
      setBusy(false);
      return;
    }
    try {
      const res = await signIn("credentials", { email: input.email.trim(), password: input.password, redirect: false });
      if (!res?.ok || res.error) {
        setFormError(`Your account was created, but signing in failed: ${res?.error ?? "unknown error"}. Please sign in.`);
        setBusy(false);
        return;
      }
      window.location.assign("/");
    } catch {
      setFormError("Your account was created, but the server could not be reached to sign you in. Please sign in.");
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="mt-6 flex flex-col gap-4">
      {formError ? (
        <p role="alert" className="alert-error">
          {formError}
        </p>
      ) : null}
      {FIELDS.map(({ field, label, type, autoComplete, hint }) => {
        const inputId = `${id}-${field}`;
        const error = errors[field];
        const describedBy = [hint && !error ? `${inputId}-hint` : null, error ? `${inputId}-error` : null].filter(Boolean).join(" ") || undefined;
        return (
          <div key={field}>
            <label htmlFor={inputId} className="field-label">
              {label}
            </label>
            <input
              id={inputId}
              name={field}
              type={type}
              autoComplete={autoComplete}
              required
              className="field-input"
              aria-invalid={error ? true : undefined}
              aria-describedby={describedBy}
            />
            {hint && !error ? (
              <p id={`${inputId}-hint`} className="mt-1 text-xs text-slate-500">
                {hint}
              </p>
            ) : null}
            {error ? (
              <p id={`${inputId}-error`} role="alert" className="field-error">
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      <button type="submit" className="btn-primary mt-2 w-full" disabled={busy} aria-busy={busy}>
        {checking ? "Checking…" : "Create account"}
      </button>
    </form>
  );
}

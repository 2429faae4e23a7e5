"use client";

import { signIn } from "next-auth/react";
import { useId, useState, type FormEvent } from "react";
import { solveChallenge } from "@/lib/challenge/solve";
import { errorMessage, trpc } from "@/lib/trpc";

export function LoginForm({ callbackPath }: { callbackPath: string }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [checking, setChecking] = useState(false);
  const challenge = trpc.auth.challenge.useMutation();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setBusy(true);
    setError(null);
    let solved = "";
    try {
      // after a few failed sign-ins from here the server asks for a proof-of-work, solved unseen
      const issued = await challenge.mutateAsync({ purpose: "signin", email });
      if (issued.challenge) {
        setChecking(true);
        solved = await solveChallenge(issued.challenge);
      }
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
      return;
    } finally {
      setChecking(false);
    }
    try {
      const res = await signIn("credentials", { email, password, challenge: solved, redirect: false });
      if (!res || res.error || !res.ok) {
        setError(res?.error && res.error !== "CredentialsSignin" ? res.error : "Wrong email or password.");
        setBusy(false);
        return;
      }
      // A full navigation: every server component renders again with the new session cookie.
      window.location.assign(callbackPath);
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="mt-6 flex flex-col gap-4">
      {error ? (
        <p id={`${id}-error`} role="alert" className="alert-error">
          {error}
        </p>
      ) : null}
      <div>
        <label htmlFor={`${id}-email`} className="field-label">
          Email
        </label>
        <input id={`${id}-email`} name="email" type="email" autoComplete="email" required className="field-input" aria-describedby={error ? `${id}-error` : undefined} />
      </div>
      <div>
        <label htmlFor={`${id}-password`} className="field-label">
          Password
        </label>
        <input id={`${id}-password`} name="password" type="password" autoComplete="current-password" required className="field-input" />
      </div>
      <button type="submit" className="btn-primary mt-2 w-full" disabled={busy} aria-busy={busy}>
        {checking ? "Checking…" : "Sign in"}
      </button>
    </form>
  );
}

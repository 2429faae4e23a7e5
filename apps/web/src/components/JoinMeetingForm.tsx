"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { INVALID_CODE_MESSAGE, parseMeetingCode } from "@/lib/meetingCode";

export function JoinMeetingForm() {
  const router = useRouter();
  const id = useId();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = parseMeetingCode(value);
    if (!code) {
      setError(INVALID_CODE_MESSAGE);
      return;
    }
    setError(null);
    setBusy(true);
    router.push(`/m/${code}`);
  }

  return (
    <form onSubmit={submit} noValidate className="w-full">
      <label htmlFor={`${id}-code`} className="field-label">
        Meeting code
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id={`${id}-code`}
          name="code"
          className="field-input mt-0 min-w-0 flex-1 font-mono tracking-wider"
          placeholder="abcd2345"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (error) setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button type="submit" className="btn-secondary shrink-0" disabled={busy}>
          Join
        </button>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

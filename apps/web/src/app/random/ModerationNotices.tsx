"use client";

import { useState } from "react";
import { errorMessage } from "@qualmeet/client";
import type { RandomSession } from "@/lib/random/session";
import { useRandomStore } from "@/lib/random/store";

const TITLES = { warning: "A warning from our moderators", appealAccepted: "Your appeal was accepted" } as const;

/** What moderation tells the person at their visit (a warning, an accepted appeal), each until they press OK. */
export function ModerationNotices({ session }: { session: RandomSession }) {
  const notices = useRandomStore((s) => s.moderationNotices);
  const [error, setError] = useState<string | null>(null);
  if (notices.length === 0) return null;
  return (
    <>
      {notices.map((notice) => (
        <section
          key={notice.id}
          role={notice.kind === "warning" ? "alert" : "status"}
          aria-labelledby={`notice-${notice.id}`}
          className={`card ${notice.kind === "warning" ? "border-amber-300" : "border-emerald-300"}`}
          data-notice-kind={notice.kind}
        >
          <h2 id={`notice-${notice.id}`} className="text-lg font-semibold">
            {TITLES[notice.kind]}
          </h2>
          <p className="mt-1 text-sm whitespace-pre-wrap text-slate-700">{notice.text}</p>
          {error ? (
            <p role="alert" className="field-error">
              {error}
            </p>
          ) : null}
          <button
            type="button"
            className="btn-primary mt-3"
            onClick={() =>
              void session.acknowledgeNotice(notice.id).then(
                () => setError(null),
                (e: unknown) => setError(errorMessage(e)),
              )
            }
          >
            OK, understood
          </button>
        </section>
      ))}
    </>
  );
}

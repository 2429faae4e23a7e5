"use client";

import { useEffect, useId, useRef, useState, type FormEvent, type HTMLAttributes } from "react";
import { errorMessage } from "@qualmeet/client";
import type { RandomSession } from "@/lib/random/session";
import { useRandomStore } from "@/lib/random/store";
import { REACTION_LABELS, type Reaction } from "@/lib/random/types";
import { useDevicesStore } from "@/stores/devices";

/** A <video> or <audio> showing `stream`; detached on unmount, so the capture's frame buffers are freed. */
function StreamMedia({ stream, kind, ...props }: { stream: MediaStream | null; kind: "video" | "audio" } & HTMLAttributes<HTMLMediaElement>) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    element.srcObject = stream;
    if (stream) element.play().catch(() => undefined);
    return () => {
      element.srcObject = null;
    };
  }, [stream]);
  return kind === "video" ? <video ref={ref} autoPlay playsInline muted {...props} /> : <audio ref={ref} autoPlay {...props} />;
}

/** The call: the partner's video and sound, your own camera, reactions and the text chat (text only: the chat alone). */
export function CallStage({ session, textOnly }: { session: RandomSession; textOnly: boolean }) {
  const { phase, match, remoteStream } = useRandomStore();
  const preview = useDevicesStore((s) => s.preview);
  const video = !textOnly && !match?.textOnly;
  if (phase === "idle" && !preview) return null;

  return (
    <section aria-label="Call" className={video ? "grid gap-4 md:grid-cols-[minmax(0,1fr)_18rem]" : ""}>
      {video ? (
        <div className="relative aspect-video w-full overflow-hidden rounded-xl bg-slate-900">
          <StreamMedia
            kind="video"
            stream={remoteStream}
            id="random-remote-video"
            aria-label={match ? `Video of ${match.partnerName}` : "Partner's video"}
            className={`h-full w-full object-cover ${remoteStream ? "" : "invisible"}`}
          />
          {!remoteStream ? (
            <p className="absolute inset-0 flex items-center justify-center p-6 text-center text-sm text-slate-300">
              {phase === "searching" ? "Looking for someone…" : "Waiting for video…"}
            </p>
          ) : null}
          <StreamMedia kind="audio" stream={remoteStream} id="random-remote-audio" aria-label={match ? `Sound of ${match.partnerName}` : "Partner's sound"} />
          <StreamMedia
            kind="video"
            stream={preview}
            aria-label="Camera preview"
            className={`absolute right-2 bottom-2 w-1/4 -scale-x-100 rounded-lg border border-white/40 object-cover ${preview?.getVideoTracks().length ? "" : "invisible"}`}
          />
          <Reactions overlay />
        </div>
      ) : null}
      <TextChat session={session} inlineReactions={!video} />
    </section>
  );
}

/** The reactions sent and received lately: over the partner's video, or above the messages in text only. */
function Reactions({ overlay = false }: { overlay?: boolean }) {
  const reactions = useRandomStore((s) => s.reactions);
  return (
    <ul aria-label="Reactions" aria-live="polite" className={`flex flex-wrap gap-1 ${overlay ? "pointer-events-none absolute top-2 left-2" : ""}`}>
      {reactions.map((r) => (
        <li key={r.id} className="rounded-full bg-white/80 px-2 py-0.5 text-xl">
          <span role="img" aria-label={`${r.from === "me" ? "You" : "Partner"}: ${REACTION_LABELS[r.emoji]}`}>
            {r.emoji}
          </span>
        </li>
      ))}
    </ul>
  );
}

function TextChat({ session, inlineReactions }: { session: RandomSession; inlineReactions: boolean }) {
  const id = useId();
  const { match, lines } = useRandomStore();
  const [error, setError] = useState<string | null>(null);
  const inCall = match !== null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const text = String(new FormData(form).get("text") ?? "");
    if (!text.trim()) return;
    try {
      await session.send(text);
      form.reset();
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function react(emoji: Reaction) {
    try {
      await session.react(emoji);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="card flex min-h-64 flex-col gap-3 p-4 sm:p-4">
      {inlineReactions ? <Reactions /> : null}
      <ol aria-label="Messages" aria-live="polite" className="flex max-h-72 flex-1 flex-col gap-1 overflow-y-auto text-sm">
        {lines.map((line) => (
          <li key={line.id} className={line.from === "me" ? "self-end rounded-lg bg-indigo-50 px-2 py-1" : "self-start rounded-lg bg-slate-100 px-2 py-1"}>
            <span className="sr-only">{line.from === "me" ? "You: " : `${match?.partnerName ?? "Partner"}: `}</span>
            {line.text}
          </li>
        ))}
      </ol>
      <div role="group" aria-label="Send a reaction" className="flex flex-wrap gap-1">
        {(Object.keys(REACTION_LABELS) as Reaction[]).map((emoji) => (
          <button
            key={emoji}
            type="button"
            className="btn-secondary px-2 py-1"
            aria-label={`React: ${REACTION_LABELS[emoji]}`}
            disabled={!inCall}
            onClick={() => void react(emoji)}
          >
            {emoji}
          </button>
        ))}
      </div>
      <form onSubmit={(e) => void submit(e)} className="flex gap-2">
        <label htmlFor={`${id}-text`} className="sr-only">
          Message
        </label>
        <input id={`${id}-text`} name="text" type="text" maxLength={1000} autoComplete="off" className="field-input flex-1" disabled={!inCall} />
        <button type="submit" className="btn-primary" disabled={!inCall}>
          Send
        </button>
      </form>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Brand } from "@/components/Brand";
import { CopyLinkButton } from "@/components/CopyLinkButton";
import { EndMeetingButton } from "@/components/EndMeetingButton";
import { StatusBadge } from "@/components/MyMeetings";
import { createEngine } from "@/lib/media";
import { ensurePreview, previewReady, refreshDevices, startPreview } from "@/lib/media/devices";
import { useDevicesStore } from "@/stores/devices";
import { useMeetingStore } from "@/stores/meeting";
import type { SessionUser } from "@/stores/session";
import { setEngine } from "./engineRef";

export interface LobbyMeeting {
  code: string;
  title: string;
  status: "SCHEDULED" | "LIVE" | "ENDED";
  hostName: string;
  isHost: boolean;
  mode: string;
  maxParticipants: number;
}

const liveTrack = (tracks: MediaStreamTrack[] | undefined) => tracks?.find((t) => t.readyState === "live") ?? null;

/** `autoJoin`: join as soon as the devices are ready, without the camera for "audio" (an accepted or placed call). */
export type AutoJoin = "video" | "audio" | null;

export function PreJoin({ code, realtimeUrl, user, meeting, autoJoin }: { code: string; realtimeUrl: string; user: SessionUser | null; meeting: LobbyMeeting | null; autoJoin: AutoJoin }) {
  const router = useRouter();
  const id = useId();
  const phase = useMeetingStore((s) => s.phase);
  const joinError = useMeetingStore((s) => s.error);
  const [nameError, setNameError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  /** "Join now" was clicked while the camera or microphone was still starting: the join waits for them */
  const [awaitingDevices, setAwaitingDevices] = useState(false);
  const busy = signingIn || awaitingDevices || phase === "joining";

  const autoJoined = useRef(false);

  useEffect(() => {
    // after the guest sign-in the page refreshes: the preview that is starting or live carries on
    void ensurePreview();
    // a call someone placed or accepted goes straight in (only signed-in accounts call: no name to ask for)
    if (autoJoin && user && !autoJoined.current) {
      autoJoined.current = true;
      void enter(autoJoin === "audio");
    }
    const onChange = () => void refreshDevices().catch(() => undefined);
    navigator.mediaDevices?.addEventListener?.("devicechange", onChange);
    return () => navigator.mediaDevices?.removeEventListener?.("devicechange", onChange);
  }, []);

  async function join(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    useMeetingStore.getState().setPhase("lobby");
    if (!user) {
      const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
      if (!name) {
        setNameError("Enter a name.");
        return;
      }
      setNameError(null);
      setSigningIn(true);
      try {
        const res = await signIn("guest", { name, redirect: false });
        if (!res?.ok || res.error) {
          setNameError(res?.error ?? "Could not join. Please try again.");
          return;
        }
      } catch {
        setNameError("Could not reach the server. Check your connection and try again.");
        return;
      } finally {
        setSigningIn(false);
      }
      // the page re-renders signed in (meeting details); this component and the join carry on
      router.refresh();
    }
    await enter(false);
  }

  async function enter(withoutCamera: boolean) {
    // the devices the person sees starting are the ones they join with: wait for them rather than join without
    setAwaitingDevices(true);
    const preview = await previewReady();
    setAwaitingDevices(false);
    if (withoutCamera) preview?.getVideoTracks().forEach((t) => t.stop());
    const engine = createEngine(realtimeUrl);
    setEngine(engine);
    try {
      await engine.join({ code, camera: liveTrack(preview?.getVideoTracks()), mic: liveTrack(preview?.getAudioTracks()) });
    } catch {
      // the message is in the meeting store (shown below)
      setEngine(null);
    }
  }

  return (
    <>
      <Brand width="full" />
      <main className="grid w-full gap-6 md:grid-cols-[minmax(0,1fr)_20rem]">
        <DevicePreview />
        <div className="card flex flex-col">
          {meeting ? (
            <>
              <div className="flex flex-wrap items-start justify-between gap-3">
                <h1 id="meeting-title" className="min-w-0 text-2xl font-bold tracking-tight break-words">
                  {meeting.title}
                </h1>
                <StatusBadge status={meeting.status} />
              </div>
              <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
                <Detail label="Meeting code">
                  <span className="font-mono font-semibold tracking-wider">{meeting.code}</span>
                </Detail>
                <Detail label="Host">{meeting.isHost ? `${meeting.hostName} (you)` : meeting.hostName}</Detail>
                <Detail label="Mode">{meeting.mode}</Detail>
                <Detail label="Max participants">{meeting.maxParticipants}</Detail>
              </dl>
            </>
          ) : (
            <>
              <h1 className="text-2xl font-bold tracking-tight">Join meeting</h1>
              <p className="mt-1 text-sm text-slate-600">
                You were invited to the meeting <span className="font-mono font-semibold text-slate-800">{code}</span>. Enter the name others will see, or{" "}
                <a href={`/login?callbackUrl=${encodeURIComponent(`/m/${code}`)}`} className="link">
                  sign in
                </a>
                .
              </p>
            </>
          )}
          <form onSubmit={(e) => void join(e)} noValidate className="mt-6 flex flex-col gap-4">
            {user ? (
              <p className="text-sm text-slate-600">
                Joining as <span className="font-semibold text-slate-900">{user.name}</span>
              </p>
            ) : (
              <div>
                <label htmlFor={`${id}-name`} className="field-label">
                  Your name
                </label>
                <input
                  id={`${id}-name`}
                  name="name"
                  type="text"
                  autoComplete="name"
                  maxLength={80}
                  required
                  className="field-input"
                  aria-invalid={nameError ? true : undefined}
                  aria-describedby={nameError ? `${id}-error` : undefined}
                />
                {nameError ? (
                  <p id={`${id}-error`} role="alert" className="field-error">
                    {nameError}
                  </p>
                ) : null}
              </div>
            )}
            <button type="submit" className="btn-primary w-full" disabled={busy} aria-busy={busy}>
              {awaitingDevices ? "Starting camera…" : "Join now"}
            </button>
            {phase === "joining" ? (
              <p role="status" id="join-status" className="text-center text-sm text-slate-600">
                {joinError ?? "Joining…"}
              </p>
            ) : null}
            {joinError && phase === "lobby" ? (
              <p role="alert" className="alert-error">
                {joinError}
              </p>
            ) : null}
          </form>
          {meeting ? (
            <div className="mt-6 flex flex-wrap gap-3 border-t border-slate-100 pt-4">
              <CopyLinkButton path={`/m/${meeting.code}`} />
              {meeting.isHost ? <EndMeetingButton code={meeting.code} /> : null}
            </div>
          ) : null}
        </div>
      </main>
    </>
  );
}

function DevicePreview() {
  const id = useId();
  const videoRef = useRef<HTMLVideoElement>(null);
  const { cameras, microphones, cameraId, microphoneId, preview, problems } = useDevicesStore();
  const hasVideo = !!preview?.getVideoTracks().length;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = preview;
    if (preview) video.play().catch(() => undefined);
  }, [preview]);

  function choose(kind: "camera" | "microphone", deviceId: string) {
    useDevicesStore.getState().select(kind, deviceId);
    void startPreview([kind]);
  }

  return (
    <section aria-label="Camera and microphone" className="card flex flex-col gap-4 p-4 sm:p-4">
      <div className="relative aspect-video w-full overflow-hidden rounded-xl bg-slate-900">
        <video ref={videoRef} autoPlay playsInline muted aria-label="Camera preview" className={`h-full w-full -scale-x-100 object-cover ${hasVideo ? "" : "invisible"}`} />
        {!hasVideo ? (
          <p className="absolute inset-0 flex items-center justify-center p-6 text-center text-sm text-slate-300">{problems.camera ? "No camera" : "Starting camera…"}</p>
        ) : null}
      </div>
      {problems.camera ? (
        <p role="alert" id="camera-problem" className="text-sm text-amber-700">
          {problems.camera}
        </p>
      ) : null}
      {problems.microphone ? (
        <p role="alert" id="microphone-problem" className="text-sm text-amber-700">
          {problems.microphone}
        </p>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-camera`} className="field-label">
            Camera
          </label>
          <select id={`${id}-camera`} className="field-input" value={cameraId ?? ""} disabled={cameras.length === 0} onChange={(e) => choose("camera", e.target.value)}>
            {cameras.length === 0 ? <option value="">No camera</option> : null}
            {cameras.map((c) => (
              <option key={c.deviceId} value={c.deviceId}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-mic`} className="field-label">
            Microphone
          </label>
          <select id={`${id}-mic`} className="field-input" value={microphoneId ?? ""} disabled={microphones.length === 0} onChange={(e) => choose("microphone", e.target.value)}>
            {microphones.length === 0 ? <option value="">No microphone</option> : null}
            {microphones.map((m) => (
              <option key={m.deviceId} value={m.deviceId}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </section>
  );
}

function Detail({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-1 text-slate-900">{children}</dd>
    </div>
  );
}

"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Brand } from "@/components/Brand";
import { CopyLinkButton } from "@/components/CopyLinkButton";
import { Detail } from "@/components/Detail";
import { EndMeetingButton } from "@/components/EndMeetingButton";
import { MeetingHeading } from "@/components/MeetingHeading";
import { createEngine, warmDevice, type MediaEngine } from "@/lib/media";
import { askToJoin, NotLetIn, stoppedAsking } from "@/lib/media/admission";
import { errorMessage } from "@qualmeet/client";
import { ensurePreview, liveTrack, previewReady, refreshDevices, stopPreview } from "@/lib/media/devices";
import { sleep } from "@/lib/media/mediaCalls";
import { AccessToggles, type MeetingAccess } from "./AccessToggles";
import { DevicePreview } from "./DevicePreview";
import { LobbyWait } from "./LobbyWait";
import { useDevicesStore } from "@/stores/devices";
import { useMeetingStore } from "@/stores/meeting";
import type { SessionUser } from "@/stores/session";
import { setEngine } from "./engineRef";
import { reportFirstRemoteFrame } from "@/lib/media/mediaReports";

export interface LobbyMeeting {
  code: string;
  title: string;
  status: "SCHEDULED" | "LIVE" | "ENDED";
  hostName: string;
  isHost: boolean;
  /** how the media travels right now (direct while at most `p2pMaxParticipants` are in it) */
  mode: string;
  participantsNow: number;
  p2pMaxParticipants: number;
  maxParticipants: number;
  /** the host's choices: nobody new joins / newcomers wait to be let in */
  locked: boolean;
  lobbyEnabled: boolean;
}

/** How long "Join now" waits for a camera or microphone that is still starting before it joins without them. */
const DEVICE_WAIT_MS = 6000;

/**
 * The devices a join went ahead without, now started: published if the person is still in the meeting and
 * did not start one meanwhile; every other track of `late` stops. A device that failed is named in the room.
 */
async function publishLate(engine: MediaEngine, late: MediaStream | null, needed: { camera: boolean; mic: boolean }): Promise<void> {
  const camera = needed.camera ? liveTrack(late?.getVideoTracks()) : null;
  const mic = needed.mic ? liveTrack(late?.getAudioTracks()) : null;
  const inMeeting = useMeetingStore.getState().phase === "joined";
  const local = useMeetingStore.getState().local;
  for (const track of late?.getTracks() ?? []) {
    const publish = inMeeting && ((track === camera && !local.camera) || (track === mic && !local.mic));
    if (!publish && track !== local.camera && track !== local.mic) track.stop();
  }
  if (!inMeeting) return;
  if (camera && !local.camera) await engine.startCamera(camera);
  if (mic && !local.mic) await engine.startMic(mic);
  notifyDeviceProblems(needed);
}

/** The room says which of these devices failed and what to do (the pre-join screen found it). */
function notifyDeviceProblems(which: { camera: boolean; mic: boolean }): void {
  const { problems } = useDevicesStore.getState();
  const text = [which.camera ? problems.camera : null, which.mic ? problems.microphone : null].filter(Boolean).join(" ");
  if (text) useMeetingStore.getState().notify(text, "error");
}

/** Where the page goes when it may not join: the reason on the pre-join screen, or a screen of its own. */
function notLetIn(error: unknown): void {
  const meeting = useMeetingStore.getState();
  if (stoppedAsking(error)) {
    meeting.setPhase("lobby");
  } else if (!(error instanceof NotLetIn)) {
    meeting.setPhase("lobby", errorMessage(error, "Could not join the meeting."));
  } else if (error.reason === "locked") {
    meeting.setPhase("lobby", error.message);
  } else {
    // removed, turned away or ended: the camera goes off with the pre-join screen
    stopPreview();
    meeting.setPhase(error.reason, error.message);
  }
}

/** `autoJoin`: join as soon as the devices are ready, without the camera for "audio" (an accepted or placed call). */
export type AutoJoin = "video" | "audio" | null;

export function PreJoin({
  code,
  realtimeUrl,
  iceTransportPolicy,
  user,
  meeting,
  autoJoin,
}: {
  code: string;
  realtimeUrl: string;
  iceTransportPolicy: RTCIceTransportPolicy;
  user: SessionUser | null;
  meeting: LobbyMeeting | null;
  autoJoin: AutoJoin;
}) {
  const router = useRouter();
  const id = useId();
  const phase = useMeetingStore((s) => s.phase);
  const joinError = useMeetingStore((s) => s.error);
  const [nameError, setNameError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  /** "Join now" was clicked while the camera or microphone was still starting: the join waits for them */
  const [awaitingDevices, setAwaitingDevices] = useState(false);
  const joinWithoutCamera = useDevicesStore((s) => s.joinWithoutCamera);
  const [access, setAccess] = useState<MeetingAccess | null>(meeting ? { locked: meeting.locked, lobbyEnabled: meeting.lobbyEnabled } : null);
  const busy = signingIn || awaitingDevices || phase === "joining" || phase === "waiting";

  const autoJoined = useRef(false);

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
    const clickedAt = performance.now();
    // ask at once: with the lobby on, the host sees the request while the devices start
    const admission = askToJoin(realtimeUrl, code, () => useMeetingStore.getState().setPhase("waiting"));
    // settled below, after the devices: a refusal meanwhile is not an unhandled rejection
    admission.catch(() => undefined);
    // the devices the person sees starting are the ones they join with: wait for them rather than join without,
    // up to a limit (a camera that hangs, a permission prompt left open): then join and publish them once live
    setAwaitingDevices(true);
    const starting = previewReady();
    const settled = await Promise.race([starting, sleep(DEVICE_WAIT_MS).then(() => "waiting" as const)]);
    setAwaitingDevices(false);
    try {
      await admission;
    } catch (error) {
      notLetIn(error);
      return;
    }
    const preview = settled === "waiting" ? useDevicesStore.getState().preview : settled;
    const { joinMuted, joinWithoutCamera } = useDevicesStore.getState();
    const cameraWanted = !withoutCamera && !joinWithoutCamera;
    const camera = cameraWanted ? liveTrack(preview?.getVideoTracks()) : null;
    const mic = liveTrack(preview?.getAudioTracks());
    if (!camera) preview?.getVideoTracks().forEach((t) => t.stop());
    const engine = createEngine(realtimeUrl, iceTransportPolicy);
    setEngine(engine);
    try {
      await engine.join({ code, camera, mic, micMuted: joinMuted });
    } catch {
      // the message is in the meeting store (shown below)
      setEngine(null);
      if (settled === "waiting") void starting.then((late) => late?.getTracks().forEach((t) => t.stop()));
      return;
    }
    // join time for the operators' metrics: from here to the first remote frame
    void reportFirstRemoteFrame(engine, clickedAt, iceTransportPolicy === "relay");
    if (settled === "waiting") {
      useMeetingStore.getState().notify("Your camera and microphone are still starting: you joined without them, and they are shared as soon as they start.");
      void starting.then((late) => publishLate(engine, late, { camera: cameraWanted && !camera, mic: !mic }));
      return;
    }
    // joined with what works: the room says which device did not and what to do
    notifyDeviceProblems({ camera: true, mic: true });
  }

  useEffect(() => {
    // after the guest sign-in the page refreshes: the preview that is starting or live carries on
    void ensurePreview();
    // the SFU's device probes this browser's codecs now rather than after "Join now" (lib/media/sfuDevice.ts)
    void warmDevice();
    // a call someone placed or accepted goes straight in (only signed-in accounts call: no name to ask for)
    if (autoJoin && user && !autoJoined.current) {
      autoJoined.current = true;
      void enter(autoJoin === "audio");
    }
    const onChange = () => void refreshDevices().catch(() => undefined);
    navigator.mediaDevices?.addEventListener?.("devicechange", onChange);
    return () => navigator.mediaDevices?.removeEventListener?.("devicechange", onChange);
    // once, on mount: a refresh after the guest sign-in must not start a second preview or join
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <>
      <Brand width="full" />
      <main className="grid w-full gap-6 md:grid-cols-[minmax(0,1fr)_20rem]">
        <DevicePreview />
        <div className="card flex flex-col">
          {meeting ? (
            <>
              <MeetingHeading title={meeting.title} status={meeting.status} />
              <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
                <Detail label="Meeting code">
                  <span className="font-mono font-semibold tracking-wider">{meeting.code}</span>
                </Detail>
                <Detail label="Host">{meeting.isHost ? `${meeting.hostName} (you)` : meeting.hostName}</Detail>
                <Detail label="Mode">
                  <span id="prejoin-mode">{meeting.mode}</span>
                  <span className="block text-xs text-slate-500">
                    {meeting.participantsNow === 1 ? "1 person" : `${meeting.participantsNow} people`} in it now
                    {meeting.p2pMaxParticipants > 0 ? `; direct up to ${meeting.p2pMaxParticipants}` : ""}
                  </span>
                </Detail>
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
          {phase === "waiting" ? (
            <div className="mt-6">
              <LobbyWait />
            </div>
          ) : (
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
                {awaitingDevices ? (joinWithoutCamera ? "Starting microphone…" : "Starting camera…") : "Join now"}
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
          )}
          {meeting?.isHost && access ? (
            <div className="mt-6 border-t border-slate-100 pt-4">
              <h2 className="mb-2 text-sm font-semibold text-slate-700">Who can join</h2>
              <AccessToggles code={meeting.code} access={access} onChange={setAccess} />
            </div>
          ) : null}
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

"use client";

import { useEffect, useId, useRef, useState } from "react";
import { DeviceSelect } from "@/components/media/DeviceSelect";
import { dropPreviewCamera, startPreview } from "@/lib/media/devices";
import { useDevicesStore, type DeviceKind } from "@/stores/devices";

const unpressed = "btn-secondary px-3 py-1.5";
const pressed = "btn-primary px-3 py-1.5";

/** The pre-join camera preview, device choices, "join muted" / "join without camera" and the microphone level. */
export function DevicePreview() {
  const videoRef = useRef<HTMLVideoElement>(null);
  const { preview, problems, joinMuted, joinWithoutCamera } = useDevicesStore();
  const hasVideo = !!preview?.getVideoTracks().length;
  const mic = preview?.getAudioTracks()[0] ?? null;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = preview;
    if (preview) video.play().catch(() => undefined);
    // a detached <video> keeps its last camera frame until garbage collection, and the capture has only a few
    // frame buffers (shared by every page using the camera): without this, the camera stopped delivering frames
    // to every sink, the call's encoder included, for about 2.5 s after a join
    return () => {
      video.srcObject = null;
    };
  }, [preview]);

  function choose(kind: DeviceKind, deviceId: string) {
    useDevicesStore.getState().select(kind, deviceId);
    // a camera chosen while "join without camera" is on is used once the camera is turned on
    if (kind === "microphone" || !joinWithoutCamera) void startPreview([kind]);
  }

  function toggleCamera() {
    const withoutCamera = !joinWithoutCamera;
    useDevicesStore.getState().setJoinWithoutCamera(withoutCamera);
    if (withoutCamera) dropPreviewCamera();
    else void startPreview(["camera"]);
  }

  const cameraText = joinWithoutCamera ? "Camera off" : problems.camera ? "No camera" : "Starting camera…";
  return (
    <section aria-label="Camera and microphone" className="card flex flex-col gap-4 p-4 sm:p-4">
      <div className="relative aspect-video w-full overflow-hidden rounded-xl bg-slate-900">
        <video ref={videoRef} autoPlay playsInline muted aria-label="Camera preview" className={`h-full w-full -scale-x-100 object-cover ${hasVideo ? "" : "invisible"}`} />
        {!hasVideo ? <p className="absolute inset-0 flex items-center justify-center p-6 text-center text-sm text-slate-300">{cameraText}</p> : null}
      </div>
      {problems.camera && !joinWithoutCamera ? (
        <p role="alert" id="camera-problem" className="text-sm text-amber-700">
          {problems.camera}
        </p>
      ) : null}
      {problems.microphone ? (
        <p role="alert" id="microphone-problem" className="text-sm text-amber-700">
          {problems.microphone}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={joinMuted ? pressed : unpressed} aria-pressed={joinMuted} onClick={() => useDevicesStore.getState().setJoinMuted(!joinMuted)}>
          {joinMuted ? "✓ " : ""}Join muted
        </button>
        <button type="button" className={joinWithoutCamera ? pressed : unpressed} aria-pressed={joinWithoutCamera} onClick={toggleCamera}>
          {joinWithoutCamera ? "✓ " : ""}Join without camera
        </button>
      </div>
      <MicLevelMeter track={mic} muted={joinMuted} />
      <div className="grid gap-3 sm:grid-cols-2">
        <DeviceSelect kind="camera" emptyText="No camera" onChoose={choose} />
        <DeviceSelect kind="microphone" emptyText="No microphone" onChoose={choose} />
      </div>
    </section>
  );
}

/** How loud the microphone is right now (0-100), from a Web Audio AnalyserNode, so people see it works. */
function MicLevelMeter({ track, muted }: { track: MediaStreamTrack | null; muted: boolean }) {
  const labelId = useId();
  const [level, setLevel] = useState(0);

  useEffect(() => {
    if (!track || typeof AudioContext === "undefined") return;
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // a context made before any user gesture may start suspended: the first click or key press (typing the
    // name) wakes it
    const resume = () => void context.resume().catch(() => undefined);
    resume();
    window.addEventListener("pointerdown", resume);
    window.addEventListener("keydown", resume);
    const measure = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      // speech sits around 0.01-0.3 RMS: a square-root scale spreads it over the bar
      setLevel(Math.min(100, Math.round(Math.sqrt(rms) * 180)));
    };
    // ten times a second is enough to follow speech, and cheap
    const timer = setInterval(measure, 100);
    return () => {
      clearInterval(timer);
      window.removeEventListener("pointerdown", resume);
      window.removeEventListener("keydown", resume);
      source.disconnect();
      void context.close().catch(() => undefined);
    };
  }, [track]);

  const shown = track ? level : 0;
  return (
    <div className="flex items-center gap-3 text-sm text-slate-600">
      <span id={labelId}>{muted ? "Microphone level (you will join muted)" : "Microphone level"}</span>
      <div role="meter" aria-labelledby={labelId} aria-valuemin={0} aria-valuemax={100} aria-valuenow={shown} className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200">
        <div className={`h-full rounded-full ${muted ? "bg-slate-400" : "bg-emerald-500"}`} style={{ width: `${shown}%` }} />
      </div>
    </div>
  );
}

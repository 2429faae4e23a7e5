// Local capture: quality presets, getUserMedia for the chosen devices, the device lists, getDisplayMedia.
import { useDevicesStore, type DeviceOption } from "@/stores/devices";

export type QualityPreset = "low" | "standard" | "high";

const PRESETS: Record<QualityPreset, { width: number; height: number; frameRate: number }> = {
  low: { width: 320, height: 240, frameRate: 15 },
  standard: { width: 640, height: 480, frameRate: 30 },
  high: { width: 1280, height: 720, frameRate: 30 },
};

/**
 * The capture preset: `?quality=low|standard|high` in the page address, else localStorage
 * `qualmeet.quality`, else "high". (Tests use "low" to spare CPU.)
 */
export function qualityPreset(): QualityPreset {
  if (typeof window === "undefined") return "high";
  const isPreset = (v: string | null): v is QualityPreset => v === "low" || v === "standard" || v === "high";
  const fromUrl = new URLSearchParams(window.location.search).get("quality");
  if (isPreset(fromUrl)) return fromUrl;
  try {
    const stored = window.localStorage.getItem("qualmeet.quality");
    if (isPreset(stored)) return stored;
  } catch {
    // storage disabled
  }
  return "high";
}

export function videoConstraints(deviceId: string | null): MediaTrackConstraints {
  const p = PRESETS[qualityPreset()];
  return {
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    width: { ideal: p.width },
    height: { ideal: p.height },
    frameRate: { ideal: p.frameRate, max: p.frameRate },
  };
}

export function audioConstraints(deviceId: string | null): MediaTrackConstraints {
  return { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), echoCancellation: true, noiseSuppression: true, autoGainControl: true };
}

export function captureError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError") return "Camera and microphone access was blocked. Allow it in the browser to be seen and heard.";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "No camera or microphone was found.";
  if (name === "NotReadableError") return "The camera or microphone is in use by another application.";
  return "Could not start the camera or microphone.";
}

/** Fills the device lists (labels appear once the user granted access). */
export async function refreshDevices(): Promise<void> {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind, fallback: string): DeviceOption[] =>
    all
      .filter((d) => d.kind === kind && d.deviceId !== "")
      .filter((d, i, list) => list.findIndex((x) => x.deviceId === d.deviceId) === i)
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
  useDevicesStore.getState().setDevices(pick("videoinput", "Camera"), pick("audioinput", "Microphone"));
}

/** Starts (or restarts) the preview with the selected devices; keeps tracks that did not change. */
export async function startPreview(): Promise<MediaStream | null> {
  const store = useDevicesStore.getState();
  const old = store.preview;
  if (!navigator.mediaDevices?.getUserMedia) {
    store.setPreview(null, "This browser cannot use a camera or microphone here (a secure https:// address is needed).");
    return null;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(store.cameraId), audio: audioConstraints(store.microphoneId) });
    old?.getTracks().forEach((t) => t.stop());
    useDevicesStore.getState().setPreview(stream);
    await refreshDevices();
    // the first call may have used the default devices: remember which ones are live
    const cam = stream.getVideoTracks()[0]?.getSettings().deviceId;
    const mic = stream.getAudioTracks()[0]?.getSettings().deviceId;
    if (cam) useDevicesStore.getState().select("camera", cam);
    if (mic) useDevicesStore.getState().select("microphone", mic);
    return stream;
  } catch (error) {
    // maybe only one of the two is available
    for (const kind of ["audio", "video"] as const) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(
          kind === "video" ? { video: videoConstraints(null) } : { audio: audioConstraints(null) },
        );
        old?.getTracks().forEach((t) => t.stop());
        useDevicesStore.getState().setPreview(stream, kind === "video" ? "No microphone is available." : "No camera is available.");
        await refreshDevices();
        return stream;
      } catch {
        // try the other
      }
    }
    useDevicesStore.getState().setPreview(null, captureError(error));
    await refreshDevices().catch(() => undefined);
    return null;
  }
}

export function stopPreview(): void {
  const { preview, setPreview } = useDevicesStore.getState();
  preview?.getTracks().forEach((t) => t.stop());
  setPreview(null);
}

/** A fresh camera track with the selected device (Start camera in the room). */
export async function openCamera(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(useDevicesStore.getState().cameraId) });
  return stream.getVideoTracks()[0]!;
}

/** A fresh microphone track with the selected device. */
export async function openMicrophone(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(useDevicesStore.getState().microphoneId) });
  return stream.getAudioTracks()[0]!;
}

/** The screen (or window/tab) the user picks. */
export async function openScreen(): Promise<MediaStreamTrack> {
  const video: MediaTrackConstraints =
    qualityPreset() === "low" ? { width: { max: 640 }, height: { max: 360 }, frameRate: { max: 5 } } : { frameRate: { ideal: 15, max: 30 } };
  const stream = await navigator.mediaDevices.getDisplayMedia({ video, audio: false });
  const track = stream.getVideoTracks()[0]!;
  if ("contentHint" in track) track.contentHint = "detail";
  return track;
}

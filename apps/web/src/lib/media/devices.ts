// Local capture: quality presets, getUserMedia for the chosen devices, the device lists, getDisplayMedia.
import { useDevicesStore, type DeviceKind, type DeviceOption } from "@/stores/devices";

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

/** Why a camera or microphone could not start, and what to do about it (shown on screen). */
export function deviceProblem(kind: DeviceKind, error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  const Device = kind === "camera" ? "Camera" : "Microphone";
  if (name === "NotAllowedError" || name === "SecurityError")
    return `${Device} access is blocked. Allow it in the browser's site settings (the icon next to the address), then reload the page.`;
  if (name === "NotFoundError" || name === "OverconstrainedError") return `No ${kind} was found. Connect one, then choose it in the list.`;
  if (name === "NotReadableError" || name === "AbortError") return `The ${kind} is in use by another program. Close that program, then choose the ${kind} again.`;
  return `The ${kind} could not start. Check that it is connected, or choose another one.`;
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

/** The preview start in progress (starts run one after another: the last one decides the preview). */
let pending: Promise<MediaStream | null> | null = null;
/** Bumped by stopPreview: a start still under way when the page leaves stops what it opened. */
let session = 0;

/** The devices the pre-join toggles ask for. */
function wantedKinds(): DeviceKind[] {
  return useDevicesStore.getState().joinWithoutCamera ? ["microphone"] : ["camera", "microphone"];
}

/** The first track still live, or null. */
export const liveTrack = (tracks: MediaStreamTrack[] | undefined) => tracks?.find((t) => t.readyState === "live") ?? null;

/**
 * The preview once the start in progress (if any) has settled: what "Join now" publishes. A join awaits this
 * instead of reading the preview at click time, when a real webcam may still be starting.
 */
export function previewReady(): Promise<MediaStream | null> {
  return pending ?? Promise.resolve(useDevicesStore.getState().preview);
}

/** Starts the preview unless it is live or starting already (the page mounting again after the guest sign-in). */
export function ensurePreview(): Promise<MediaStream | null> {
  if (pending) return pending;
  const preview = useDevicesStore.getState().preview;
  if (preview?.getTracks().some((t) => t.readyState === "live")) return Promise.resolve(preview);
  return startPreview();
}

/**
 * (Re)opens `kinds` (default: what the toggles ask for) with the selected devices; the preview's other tracks
 * stay as they are. A device that fails is named in the store's `problems`, and the others are used anyway.
 */
export function startPreview(kinds: DeviceKind[] = wantedKinds()): Promise<MediaStream | null> {
  const started = session;
  const run = (pending ?? Promise.resolve(null))
    .catch(() => null)
    .then(() => openPreview(started, kinds))
    .catch((error: unknown) => {
      console.error("[devices] starting the preview failed", error);
      useDevicesStore.getState().setPreview(null, { camera: deviceProblem("camera", error), microphone: deviceProblem("microphone", error) });
      return null;
    });
  pending = run;
  void run.then(() => {
    if (pending === run) pending = null;
  });
  return run;
}

async function openPreview(started: number, kinds: DeviceKind[]): Promise<MediaStream | null> {
  const store = useDevicesStore.getState();
  const old = store.preview;
  const kept = (kind: DeviceKind) => liveTrack(kind === "camera" ? old?.getVideoTracks() : old?.getAudioTracks());
  if (!navigator.mediaDevices?.getUserMedia) {
    const problem = "This browser cannot use a camera or microphone here (a secure https:// address is needed).";
    store.setPreview(null, { camera: problem, microphone: problem });
    return null;
  }
  const opened = new Map<DeviceKind, MediaStreamTrack>();
  const problems: Partial<Record<DeviceKind, string | null>> = { ...store.problems };
  if (kinds.length > 0) {
    try {
      // one request for both: one permission prompt
      const stream = await navigator.mediaDevices.getUserMedia({
        video: kinds.includes("camera") ? videoConstraints(store.cameraId) : false,
        audio: kinds.includes("microphone") ? audioConstraints(store.microphoneId) : false,
      });
      for (const track of stream.getTracks()) opened.set(track.kind === "video" ? "camera" : "microphone", track);
      for (const kind of kinds) problems[kind] = null;
    } catch (error) {
      console.warn("[devices] camera and microphone together failed; trying each alone", error);
      // one of them failed: open each alone, keep what works and name what does not
      for (const kind of kinds) {
        const result = await openOne(kind, kind === "camera" ? store.cameraId : store.microphoneId);
        if (result.track) opened.set(kind, result.track);
        problems[kind] = result.problem;
      }
    }
  }
  if (started !== session) {
    // the page left meanwhile
    for (const track of opened.values()) track.stop();
    return null;
  }
  const camera = kinds.includes("camera") ? (opened.get("camera") ?? null) : useDevicesStore.getState().joinWithoutCamera ? null : kept("camera");
  const mic = kinds.includes("microphone") ? (opened.get("microphone") ?? null) : kept("microphone");
  const tracks = [camera, mic].filter((t): t is MediaStreamTrack => !!t);
  old?.getTracks().forEach((t) => {
    if (!tracks.includes(t)) t.stop();
  });
  const stream = tracks.length > 0 ? new MediaStream(tracks) : null;
  useDevicesStore.getState().setPreview(stream, problems);
  await refreshDevices().catch((error: unknown) => console.warn("[devices] listing devices failed", error));
  // the first call may have used the default devices: remember which ones are live
  const cameraId = camera?.getSettings().deviceId;
  const micId = mic?.getSettings().deviceId;
  if (cameraId) useDevicesStore.getState().select("camera", cameraId);
  if (micId) useDevicesStore.getState().select("microphone", micId);
  return stream;
}

/** One device alone; a chosen device that no longer exists falls back to the default one (and says so). */
async function openOne(kind: DeviceKind, deviceId: string | null): Promise<{ track: MediaStreamTrack | null; problem: string | null }> {
  const open = async (id: string | null) => {
    const stream = await navigator.mediaDevices.getUserMedia(kind === "camera" ? { video: videoConstraints(id) } : { audio: audioConstraints(id) });
    return (kind === "camera" ? stream.getVideoTracks() : stream.getAudioTracks())[0]!;
  };
  try {
    return { track: await open(deviceId), problem: null };
  } catch (error) {
    const name = error instanceof DOMException ? error.name : "";
    console.warn(`[devices] ${kind} failed`, deviceId, error);
    if (!deviceId || (name !== "OverconstrainedError" && name !== "NotFoundError")) return { track: null, problem: deviceProblem(kind, error) };
    try {
      const track = await open(null);
      return { track, problem: `The chosen ${kind} is no longer available: using ${track.label || `the default ${kind}`} instead.` };
    } catch (fallbackError) {
      return { track: null, problem: deviceProblem(kind, fallbackError) };
    }
  }
}

/** Stops the preview's camera (the "join without camera" toggle); the microphone stays. */
export function dropPreviewCamera(): void {
  const { preview, problems, setPreview } = useDevicesStore.getState();
  if (!preview) return;
  preview.getVideoTracks().forEach((t) => t.stop());
  const audio = preview.getAudioTracks();
  setPreview(audio.length > 0 ? new MediaStream(audio) : null, { ...problems, camera: null });
}

export function stopPreview(): void {
  session++;
  pending = null;
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
  const video: MediaTrackConstraints = qualityPreset() === "low" ? { width: { max: 640 }, height: { max: 360 }, frameRate: { max: 5 } } : { frameRate: { ideal: 15, max: 30 } };
  const stream = await navigator.mediaDevices.getDisplayMedia({ video, audio: false });
  const track = stream.getVideoTracks()[0]!;
  if ("contentHint" in track) track.contentHint = "detail";
  return track;
}

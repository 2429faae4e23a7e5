// Cameras and microphones of this browser, the chosen ones, and the local preview stream (pre-join and self view).
import { create } from "zustand";

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export type DeviceKind = "camera" | "microphone";

interface DevicesState {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
  cameraId: string | null;
  microphoneId: string | null;
  /** the live camera+microphone stream of the preview (its tracks are handed to the engine on join) */
  preview: MediaStream | null;
  /** per device, why it is not in the preview and what to do (blocked, missing, in use by another program) */
  problems: Record<DeviceKind, string | null>;
  /** the pre-join toggles: join with the microphone muted, join without the camera */
  joinMuted: boolean;
  joinWithoutCamera: boolean;
  setDevices(cameras: DeviceOption[], microphones: DeviceOption[]): void;
  select(kind: DeviceKind, deviceId: string): void;
  setPreview(stream: MediaStream | null, problems?: Partial<Record<DeviceKind, string | null>>): void;
  setJoinMuted(muted: boolean): void;
  setJoinWithoutCamera(withoutCamera: boolean): void;
}

export const useDevicesStore = create<DevicesState>()((set) => ({
  cameras: [],
  microphones: [],
  cameraId: null,
  microphoneId: null,
  preview: null,
  problems: { camera: null, microphone: null },
  joinMuted: false,
  joinWithoutCamera: false,
  setDevices: (cameras, microphones) =>
    set((s) => ({
      cameras,
      microphones,
      cameraId: s.cameraId && cameras.some((c) => c.deviceId === s.cameraId) ? s.cameraId : (cameras[0]?.deviceId ?? null),
      microphoneId: s.microphoneId && microphones.some((m) => m.deviceId === s.microphoneId) ? s.microphoneId : (microphones[0]?.deviceId ?? null),
    })),
  select: (kind, deviceId) => set(kind === "camera" ? { cameraId: deviceId } : { microphoneId: deviceId }),
  setPreview: (preview, problems = {}) => set({ preview, problems: { camera: null, microphone: null, ...problems } }),
  setJoinMuted: (joinMuted) => set({ joinMuted }),
  setJoinWithoutCamera: (joinWithoutCamera) => set({ joinWithoutCamera }),
}));

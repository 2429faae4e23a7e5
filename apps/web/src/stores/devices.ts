// Cameras and microphones of this browser, the chosen ones, and the local preview stream (pre-join and self view).
import { create } from "zustand";

export interface DeviceOption {
  deviceId: string;
  label: string;
}

interface DevicesState {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
  cameraId: string | null;
  microphoneId: string | null;
  /** the live camera+microphone stream of the preview (its tracks are handed to the engine on join) */
  preview: MediaStream | null;
  /** why there is no preview (permission denied, no device) */
  error: string | null;
  setDevices(cameras: DeviceOption[], microphones: DeviceOption[]): void;
  select(kind: "camera" | "microphone", deviceId: string): void;
  setPreview(stream: MediaStream | null, error?: string | null): void;
}

export const useDevicesStore = create<DevicesState>()((set) => ({
  cameras: [],
  microphones: [],
  cameraId: null,
  microphoneId: null,
  preview: null,
  error: null,
  setDevices: (cameras, microphones) =>
    set((s) => ({
      cameras,
      microphones,
      cameraId: s.cameraId && cameras.some((c) => c.deviceId === s.cameraId) ? s.cameraId : (cameras[0]?.deviceId ?? null),
      microphoneId: s.microphoneId && microphones.some((m) => m.deviceId === s.microphoneId) ? s.microphoneId : (microphones[0]?.deviceId ?? null),
    })),
  select: (kind, deviceId) => set(kind === "camera" ? { cameraId: deviceId } : { microphoneId: deviceId }),
  setPreview: (preview, error = null) => set({ preview, error }),
}));

"use client";

import { useId } from "react";
import { useDevicesStore, type DeviceKind } from "@/stores/devices";

const LABELS: Record<DeviceKind, string> = { camera: "Camera", microphone: "Microphone" };

/**
 * The camera or microphone picker of every page that captures (meeting pre-join, random chat): the browser's
 * devices from the devices store, the chosen one selected. `emptyText` says why the list is empty on this page.
 */
export function DeviceSelect({ kind, emptyText, onChoose }: { kind: DeviceKind; emptyText: string; onChoose: (kind: DeviceKind, deviceId: string) => void }) {
  const id = useId();
  const devices = useDevicesStore((state) => (kind === "camera" ? state.cameras : state.microphones));
  const chosenId = useDevicesStore((state) => (kind === "camera" ? state.cameraId : state.microphoneId));
  return (
    <div>
      <label htmlFor={id} className="field-label">
        {LABELS[kind]}
      </label>
      <select id={id} className="field-input" value={chosenId ?? ""} disabled={devices.length === 0} onChange={(e) => onChoose(kind, e.target.value)}>
        {devices.length === 0 ? <option value="">{emptyText}</option> : null}
        {devices.map((device) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label}
          </option>
        ))}
      </select>
    </div>
  );
}

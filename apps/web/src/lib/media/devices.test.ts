// The pre-join preview without a browser (getUserMedia faked): a join that asks while the camera is still
// starting gets the camera once it is live; a device that fails is named with what to do while the other is kept;
// a chosen device that no longer exists falls back to the default one.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { useDevicesStore } from "@/stores/devices";
import { ensurePreview, previewReady, stopPreview } from "./devices";

class FakeTrack {
  readyState: "live" | "ended" = "live";
  constructor(
    readonly kind: "audio" | "video",
    readonly deviceId: string,
    readonly label = `${kind} ${deviceId}`,
  ) {}
  stop() {
    this.readyState = "ended";
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
}

class FakeStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  getTracks() {
    return this.tracks;
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === "video");
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === "audio");
  }
}

const domError = (name: string) => new DOMException(name, name);

/** A camera that takes `delayMs` to start; `fail` makes a device kind throw a DOMException-like error. */
function fakeMedia(options: { delayMs?: number; fail?: { video?: string; audio?: string }; devices?: string[] } = {}) {
  const calls: Array<{ video: unknown; audio: unknown }> = [];
  const getUserMedia = async (constraints: { video?: unknown; audio?: unknown }) => {
    calls.push({ video: constraints.video ?? false, audio: constraints.audio ?? false });
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
    const tracks: FakeTrack[] = [];
    for (const kind of ["video", "audio"] as const) {
      const wanted = constraints[kind] as { deviceId?: { exact: string } } | false | undefined;
      if (!wanted) continue;
      const failure = options.fail?.[kind];
      if (failure) throw domError(failure);
      const exact = wanted.deviceId?.exact;
      if (exact && !(options.devices ?? []).includes(exact)) throw domError("OverconstrainedError");
      tracks.push(new FakeTrack(kind, exact ?? `default-${kind}`));
    }
    return new FakeStream(tracks);
  };
  vi.stubGlobal("navigator", { mediaDevices: { getUserMedia, enumerateDevices: async () => [] } });
  vi.stubGlobal("MediaStream", FakeStream);
  return calls;
}

beforeEach(() => {
  stopPreview();
  useDevicesStore.setState({ cameraId: null, microphoneId: null, joinMuted: false, joinWithoutCamera: false });
});

afterEach(() => {
  stopPreview();
  vi.unstubAllGlobals();
});

describe("the pre-join preview", () => {
  test("a join asking while the camera is still starting gets the live camera and microphone, from one getUserMedia", async () => {
    const calls = fakeMedia({ delayMs: 200 });
    void ensurePreview();
    // "Join now" clicked right away: the preview is not there yet, but the join waits for it
    expect(useDevicesStore.getState().preview).toBeNull();
    const preview = await previewReady();
    expect(preview?.getVideoTracks()[0]?.readyState).toBe("live");
    expect(preview?.getAudioTracks()[0]?.readyState).toBe("live");
    // the page mounting again (the guest sign-in's refresh) keeps the preview instead of restarting it
    expect(await ensurePreview()).toBe(preview);
    expect(calls).toHaveLength(1);
  });

  test("a camera held by another program: the microphone is kept and the camera is named with what to do", async () => {
    fakeMedia({ fail: { video: "NotReadableError" } });
    const preview = await ensurePreview();
    expect(preview?.getVideoTracks()).toHaveLength(0);
    expect(preview?.getAudioTracks()).toHaveLength(1);
    expect(useDevicesStore.getState().problems).toEqual({
      camera: "The camera is in use by another program. Close that program, then choose the camera again.",
      microphone: null,
    });
  });

  test("a blocked microphone is named; the camera is kept", async () => {
    fakeMedia({ fail: { audio: "NotAllowedError" } });
    const preview = await ensurePreview();
    expect(preview?.getVideoTracks()).toHaveLength(1);
    expect(useDevicesStore.getState().problems.microphone).toMatch(/^Microphone access is blocked\. Allow it in the browser's site settings/);
  });

  test("a chosen camera that no longer exists falls back to the default one and says so", async () => {
    fakeMedia({ devices: ["mic-1"] });
    useDevicesStore.setState({ cameraId: "unplugged-cam", microphoneId: "mic-1" });
    const preview = await ensurePreview();
    expect(preview?.getVideoTracks()[0]?.getSettings().deviceId).toBe("default-video");
    expect(preview?.getAudioTracks()[0]?.getSettings().deviceId).toBe("mic-1");
    expect(useDevicesStore.getState().problems.camera).toBe("The chosen camera is no longer available: using video default-video instead.");
  });

  test("leaving while the camera starts stops what it opened", async () => {
    fakeMedia({ delayMs: 100 });
    const starting = ensurePreview();
    stopPreview();
    expect(await starting).toBeNull();
    expect(useDevicesStore.getState().preview).toBeNull();
  });
});

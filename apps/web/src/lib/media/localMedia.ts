// Our own camera, microphone and screen during the meeting: mute, start/stop camera and screen share on every
// path (SFU producer and mesh senders), and what happens when a device disappears mid-call.
import type { MediaSource } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";
import { openMicrophone } from "./devices";
import type { MediaSession } from "./mediaSession";
import type { MeshEngine } from "./meshEngine";
import type { SfuPublisher } from "./sfuPublisher";

export class LocalMediaControl {
  constructor(
    private readonly session: MediaSession,
    private readonly publisher: SfuPublisher,
    private readonly mesh: () => MeshEngine | null,
  ) {}

  /** The tracks chosen on the pre-join screen. */
  useJoinTracks(camera: MediaStreamTrack | null, mic: MediaStreamTrack | null, micMuted: boolean): void {
    this.session.local = { camera, mic, screen: null, micMuted };
    this.watchDevice("camera", camera);
    this.watchDevice("mic", mic);
  }

  setMicMuted(muted: boolean): Promise<void> {
    return this.session.enqueue(() => this.applyMicMuted(muted, true));
  }

  /**
   * Mutes or unmutes the microphone on every path (SFU producer and mesh senders); `tellServer` is false when
   * the server already paused the producer (the host muted us).
   */
  async applyMicMuted(muted: boolean, tellServer: boolean): Promise<void> {
    const { session } = this;
    const local = session.local;
    if (!muted && !local.mic) {
      // no microphone yet (none at join, or it was unplugged): open one now
      const track = await openMicrophone();
      local.micMuted = false;
      useMeetingStore.getState().setLocal({ micMuted: false });
      void session.client.room.setMicMuted.mutate({ ...session.peer, muted: false }).catch(() => undefined);
      await this.publishMic(track);
      return;
    }
    local.micMuted = muted;
    useMeetingStore.getState().setLocal({ micMuted: muted });
    this.mesh()?.mute("mic", muted ? null : local.mic);
    // everyone's participant list shows it (over the mesh nothing else tells them)
    if (tellServer) void session.client.room.setMicMuted.mutate({ ...session.peer, muted }).catch(() => undefined);
    await this.publisher.setMicPaused(muted, tellServer);
  }

  /**
   * A microphone that became live after the join (it was still starting), published muted or not as the person
   * chose. One opened meanwhile (the person clicked Unmute) stays, and `track` stops.
   */
  startMic(track: MediaStreamTrack): Promise<void> {
    return this.session.enqueue(async () => {
      const current = this.session.local.mic;
      if (current) {
        if (current !== track) track.stop();
        return;
      }
      await this.publishMic(track);
    });
  }

  private async publishMic(track: MediaStreamTrack): Promise<void> {
    const local = this.session.local;
    local.mic = track;
    this.watchDevice("mic", track);
    useMeetingStore.getState().setLocal({ mic: track });
    this.mesh()?.setTrack("mic", local.micMuted ? null : track);
    // the producer starts paused when the mic is muted (SfuPublisher.produce)
    await this.publisher.produce("mic", track);
  }

  startCamera(track: MediaStreamTrack): Promise<void> {
    return this.session.enqueue(async () => {
      const local = this.session.local;
      await this.publisher.close("camera");
      if (local.camera && local.camera !== track) local.camera.stop();
      local.camera = track;
      this.watchDevice("camera", track);
      useMeetingStore.getState().setLocal({ camera: track });
      this.mesh()?.setTrack("camera", track);
      await this.publisher.produce("camera", track);
    });
  }

  stopCamera(): Promise<void> {
    return this.session.enqueue(async () => {
      const local = this.session.local;
      local.camera?.stop();
      local.camera = null;
      useMeetingStore.getState().setLocal({ camera: null });
      this.mesh()?.setTrack("camera", null);
      await this.publisher.close("camera");
    });
  }

  startScreenShare(track: MediaStreamTrack): Promise<void> {
    return this.session.enqueue(async () => {
      const local = this.session.local;
      await this.publisher.close("screen");
      if (local.screen && local.screen !== track) local.screen.stop();
      local.screen = track;
      useMeetingStore.getState().setLocal({ screen: track });
      track.addEventListener("ended", () => {
        if (this.session.local.screen === track) void this.stopScreenShare();
      });
      this.mesh()?.setTrack("screen", track);
      await this.publisher.produce("screen", track);
    });
  }

  stopScreenShare(): Promise<void> {
    return this.session.enqueue(async () => {
      const local = this.session.local;
      local.screen?.stop();
      local.screen = null;
      useMeetingStore.getState().setLocal({ screen: null });
      this.mesh()?.setTrack("screen", null);
      await this.publisher.close("screen");
    });
  }

  /** A published track the browser ended (the SFU producer's "trackended"). */
  onTrackEnded(source: MediaSource): void {
    if (source === "screen") void this.stopScreenShare();
    else if (source === "camera") void this.stopCamera();
  }

  /** Leaving: every local track stops. */
  stopAll(): void {
    const local = this.session.local;
    for (const track of [local.camera, local.mic, local.screen]) track?.stop();
    this.session.local = { camera: null, mic: null, screen: null, micMuted: local.micMuted };
    useMeetingStore.getState().setLocal({ camera: null, mic: null, screen: null });
  }

  /**
   * A camera or microphone unplugged (or taken by another program) mid-call ends its track: stop sending it,
   * show "Start camera" / "Unmute" (which open the device again) and say so.
   */
  private watchDevice(source: "camera" | "mic", track: MediaStreamTrack | null): void {
    track?.addEventListener(
      "ended",
      () => {
        if (this.session.closed || this.session.local[source] !== track) return;
        const device = source === "mic" ? "microphone" : "camera";
        console.warn(`[media] the ${device} track ended`, track.label);
        useMeetingStore
          .getState()
          .notify(`Your ${device} stopped (disconnected or in use by another program). Connect it, then click ${source === "mic" ? "Unmute" : "Start camera"}.`, "error");
        if (source === "camera") {
          void this.stopCamera();
          return;
        }
        void this.session.enqueue(async () => {
          if (this.session.local.mic !== track) return;
          this.session.local.mic = null;
          useMeetingStore.getState().setLocal({ mic: null });
          this.mesh()?.setTrack("mic", null);
          await this.publisher.close("mic");
        });
      },
      { once: true },
    );
  }
}

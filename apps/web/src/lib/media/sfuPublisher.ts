// Our producers on the SFU: the camera with simulcast layers, the screen, the microphone (opus with DTX/FEC),
// their pause/resume for mute, and what we send per layer (debugging).
import type { Producer, ProducerOptions } from "mediasoup-client/types";
import type { MediaSource } from "@qualmeet/api";
import type { MediaSession } from "./mediaSession";
import type { SfuTransports } from "./sfuTransports";
import { cameraEncodings, SCREEN_ENCODINGS } from "./simulcast";

export class SfuPublisher {
  private readonly producers = new Map<MediaSource, Producer>();

  /** `onTrackEnded`: the browser ended a published track (camera unplugged, screen share stopped from the browser). */
  constructor(
    private readonly session: MediaSession,
    private readonly transports: SfuTransports,
    private readonly onTrackEnded: (source: MediaSource) => void,
  ) {}

  sources(): MediaSource[] {
    return [...this.producers.keys()];
  }

  /** Publishes `track` on the send transport (nothing while there is none: it is published when one is built). */
  async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const transport = this.transports.send;
    if (!transport || track.readyState === "ended") return;
    const options: ProducerOptions = { track, stopTracks: false, appData: { source } };
    if (source === "camera") {
      options.encodings = cameraEncodings(track);
      options.codecOptions = { videoGoogleStartBitrate: 1000 };
      options.codec = this.transports.vp8();
    } else if (source === "screen") {
      options.encodings = SCREEN_ENCODINGS.map((e) => ({ ...e }));
      options.codec = this.transports.vp8();
    } else {
      options.codecOptions = { opusStereo: false, opusDtx: true, opusFec: true };
    }
    const producer = await transport.produce(options);
    if (transport.closed || transport !== this.transports.send) {
      producer.close();
      return;
    }
    this.producers.set(source, producer);
    this.session.trace.mark(`produced ${source}`);
    producer.on("trackended", () => this.onTrackEnded(source));
    if (source === "mic" && this.session.local.micMuted) {
      producer.pause();
      await this.session.client.media.pauseProducer.mutate({ ...this.session.peer, producerId: producer.id });
    }
  }

  async close(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.session.client.media.closeProducer.mutate({ ...this.session.peer, producerId: producer.id }).catch(() => undefined);
  }

  /** Pauses or resumes the microphone producer; `tellServer` is false when the server paused it (the host muted us). */
  async setMicPaused(paused: boolean, tellServer: boolean): Promise<void> {
    const producer = this.producers.get("mic");
    if (!producer) return;
    if (paused) {
      producer.pause();
      if (tellServer) await this.session.client.media.pauseProducer.mutate({ ...this.session.peer, producerId: producer.id });
    } else {
      producer.resume();
      await this.session.client.media.resumeProducer.mutate({ ...this.session.peer, producerId: producer.id });
    }
  }

  /** The transport closed (and with it every producer): forget them. */
  forget(): void {
    this.producers.clear();
  }

  /** What we send, per source and simulcast layer (debugging: which layers the browser really encodes). */
  async localStats(): Promise<Record<string, Array<Record<string, unknown>>>> {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (const [source, producer] of this.producers) {
      if (producer.closed) continue;
      const report = await producer.getStats().catch(() => null);
      if (!report) continue;
      const rows: Array<Record<string, unknown>> = [];
      report.forEach((s: Record<string, unknown>) => {
        if (s.type !== "outbound-rtp") return;
        rows.push({
          rid: s.rid,
          active: s.active,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          framesEncoded: s.framesEncoded,
          packetsSent: s.packetsSent,
          qualityLimitationReason: s.qualityLimitationReason,
          scalabilityMode: s.scalabilityMode,
        });
      });
      out[source] = rows;
    }
    return out;
  }
}

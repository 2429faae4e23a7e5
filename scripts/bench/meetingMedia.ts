// The synthetic media of bench:meeting: a participant's camera (VP8 in 3 simulcast layers as separate SSRCs)
// and microphone (opus, DTX in silence) sent as plain RTP from this process; what mediasoup forwards is counted by
// the sink threads of sinkThreads.ts.
// The same packets as scripts/bench/sfu-step.ts sends (packages/media/src/synthetic-rtp.ts).
import dgram from "node:dgram";
import { isRtcp, keyFrameRequests, rtpPacket, senderReport, vp8Payload } from "../../packages/media/src/synthetic-rtp.ts";
import { audioIntervalMs } from "./meetingPlan.ts";

const KEYFRAME_INTERVAL_S = 2;
/**
 * A sender starved of CPU for longer than this skips what it missed, as a camera and a microphone do,
 * instead of sending the backlog at once: on the 2 shared cores other processes stall this one for
 * hundreds of ms, and such a burst overflows the worker's 208 KB socket buffer, which is no SFU loss.
 */
const MAX_LAG_MS = 100;
const AUDIO_PAYLOAD = 100;

export interface MediaShape {
  /** kbps of the 3 simulcast layers, lowest first. */
  layerKbps: number[];
  fps: number;
  maxPacketBytes: number;
}

interface VideoLayer {
  ssrc: number;
  packetsPerFrame: number;
  packetSize: number;
  seq: number;
  pictureId: number;
  tl0: number;
  frames: number;
  tsBase: number;
  keyframeWanted: boolean;
  packets: number;
  octets: number;
}

/** One participant's sender: its socket sends to the SFU's PlainTransport (comedia) and answers PLI/FIR. */
export class ParticipantSender {
  readonly layers: VideoLayer[];
  readonly audio = { ssrc: 0, seq: Math.floor(Math.random() * 30000), packets: 0, octets: 0, timestamp: 0 };
  sentPackets = 0;
  keyframeRequests = 0;
  /** Frames and audio packets skipped because this process was starved (see MAX_LAG_MS). */
  skipped = 0;
  #lastReportMs = -Infinity;
  #lastAudioMs = -Infinity;
  readonly #socket = dgram.createSocket("udp4");
  readonly #audioPayload = Buffer.alloc(AUDIO_PAYLOAD, 0x33);

  constructor(
    index: number,
    readonly speaking: boolean,
    private readonly shape: MediaShape,
    private readonly target: { ip: string; port: number },
  ) {
    const base = 100_000 + index * 10;
    this.audio.ssrc = base + 4;
    this.layers = shape.layerKbps.map((kbps, i): VideoLayer => {
      const bytesPerFrame = (kbps * 1000) / 8 / shape.fps;
      const packetsPerFrame = Math.max(1, Math.ceil(bytesPerFrame / shape.maxPacketBytes));
      return {
        ssrc: base + 1 + i,
        packetsPerFrame,
        packetSize: Math.max(16, Math.round(bytesPerFrame / packetsPerFrame)),
        seq: Math.floor(Math.random() * 30000),
        pictureId: Math.floor(Math.random() * 30000),
        tl0: 0,
        frames: 0,
        tsBase: Math.floor(Math.random() * 2 ** 30),
        keyframeWanted: true,
        packets: 0,
        octets: 0,
      };
    });
    // mediasoup sends RTCP back to where our RTP came from (comedia): a PLI/FIR asks for a key frame
    this.#socket.on("message", (msg) => {
      if (!isRtcp(msg)) return;
      for (const ssrc of keyFrameRequests(msg)) {
        const layer = this.layers.find((l) => l.ssrc === ssrc);
        if (layer) {
          layer.keyframeWanted = true;
          this.keyframeRequests++;
        }
      }
    });
  }

  get ssrcs(): [number, number, number] {
    const [l0, l1, l2] = this.layers;
    return [l0!.ssrc, l1!.ssrc, l2!.ssrc];
  }

  #send(packet: Buffer): void {
    this.#socket.send(packet, this.target.port, this.target.ip);
    this.sentPackets++;
  }

  /** Sends every frame and audio packet due `elapsedMs` after the start, and sender reports twice a second. */
  sendDue(elapsedMs: number, wallClockMs: number): void {
    const { fps } = this.shape;
    const dueFrames = Math.floor((elapsedMs * fps) / 1000);
    const lagFrames = Math.ceil((MAX_LAG_MS * fps) / 1000);
    for (const layer of this.layers) {
      if (dueFrames - layer.frames > lagFrames) {
        this.skipped += dueFrames - lagFrames - layer.frames;
        layer.frames = dueFrames - lagFrames;
      }
      while (layer.frames < dueFrames) {
        const keyframe = layer.keyframeWanted || layer.frames % (fps * KEYFRAME_INTERVAL_S) === 0;
        layer.keyframeWanted = false;
        const timestamp = layer.tsBase + Math.round((layer.frames * 90000) / fps);
        layer.pictureId = (layer.pictureId + 1) & 0x7fff;
        layer.tl0 = (layer.tl0 + 1) & 0xff;
        for (let i = 0; i < layer.packetsPerFrame; i++) {
          const payload = vp8Payload({ pictureId: layer.pictureId, tl0PicIdx: layer.tl0, start: i === 0, keyframe, size: layer.packetSize });
          layer.seq = (layer.seq + 1) & 0xffff;
          layer.packets++;
          layer.octets += payload.length;
          this.#send(rtpPacket({ payloadType: 96, sequenceNumber: layer.seq, timestamp, ssrc: layer.ssrc, marker: i === layer.packetsPerFrame - 1, payload }));
        }
        layer.frames++;
      }
    }
    // opus: every 20 ms while speaking, a DTX frame every 400 ms in silence (sequence numbers stay dense)
    const interval = audioIntervalMs(this.speaking);
    const audio = this.audio;
    if (elapsedMs - this.#lastAudioMs > MAX_LAG_MS + interval && this.#lastAudioMs !== -Infinity) {
      const missed = Math.floor((elapsedMs - this.#lastAudioMs - MAX_LAG_MS) / interval);
      this.skipped += missed;
      this.#lastAudioMs += missed * interval;
    }
    while (elapsedMs - this.#lastAudioMs >= interval) {
      this.#lastAudioMs = this.#lastAudioMs === -Infinity ? elapsedMs : this.#lastAudioMs + interval;
      audio.seq = (audio.seq + 1) & 0xffff;
      this.#send(rtpPacket({ payloadType: 111, sequenceNumber: audio.seq, timestamp: Math.round(this.#lastAudioMs * 48), ssrc: audio.ssrc, payload: this.#audioPayload }));
      audio.packets++;
      audio.octets += AUDIO_PAYLOAD;
    }
    // mediasoup switches simulcast layers only between streams it can sync (their sender reports)
    if (elapsedMs - this.#lastReportMs >= 500) {
      this.#lastReportMs = elapsedMs;
      const send = (packet: Buffer) => this.#socket.send(packet, this.target.port, this.target.ip);
      for (const layer of this.layers) {
        send(senderReport({ ssrc: layer.ssrc, wallClockMs, rtpTimestamp: layer.tsBase + Math.round(elapsedMs * 90), packetCount: layer.packets, octetCount: layer.octets }));
      }
      send(senderReport({ ssrc: audio.ssrc, wallClockMs, rtpTimestamp: Math.round(elapsedMs * 48), packetCount: audio.packets, octetCount: audio.octets }));
    }
  }

  close(): void {
    this.#socket.close();
  }
}

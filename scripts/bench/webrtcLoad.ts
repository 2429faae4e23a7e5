// A browserless WebRTC load for the SFU comparison (bench:sfu): one publisher sending synthetic VP8 and
// N subscribers receiving it, all werift peer connections in this process (ICE, DTLS, SRTP like a browser),
// so that our SFU and Janus get exactly the same load. The SFU side is behind `SfuSignaling`: the publisher
// offers, the SFU offers to each subscriber (Janus VideoRoom's shape; ours builds its SDP from mediasoup's
// parameters). werift gathers no loopback candidates unless os.networkInterfaces() shows `lo` as external.
import { syncBuiltinESMExports } from "node:module";
import os from "node:os";
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from "werift";
import { rtpPacket, StreamCounter, vp8Payload } from "../../packages/media/src/synthetic-rtp.ts";

export interface SfuSignaling {
  /** The publisher's offer in, the SFU's answer out. */
  publish(offerSdp: string): Promise<string>;
  /** The SFU's offer to subscriber `index`, and where its answer goes. */
  subscribe(index: number): Promise<{ offerSdp: string; answer(answerSdp: string): Promise<void> }>;
}

export interface LoadOptions {
  subscribers: number;
  fps: number;
  packetsPerFrame: number;
  packetBytes: number;
}

/** Only loopback, shown as an external interface, so that every candidate is 127.0.0.1. */
export function gatherOnLoopback(): void {
  os.networkInterfaces = () => ({
    lo: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: false, cidr: "127.0.0.1/8" }],
  });
  syncBuiltinESMExports();
}

const vp8 = () =>
  new RTCRtpCodecParameters({
    mimeType: "video/VP8",
    clockRate: 90000,
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
  });

const newPeerConnection = () => new RTCPeerConnection({ codecs: { video: [vp8()], audio: [] }, iceUseIpv6: false, headerExtensions: { video: [], audio: [] } });

/** The local description once ICE gathering is complete (the SFUs here take no trickled candidates). */
async function completeLocalSdp(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== "complete") {
    await new Promise<void>((resolve) => {
      const subscription = pc.iceGatheringStateChange.subscribe((state) => {
        if (state === "complete") {
          subscription.unSubscribe();
          resolve();
        }
      });
    });
  }
  return pc.localDescription!.sdp;
}

async function connected(pc: RTCPeerConnection, who: string): Promise<void> {
  if (pc.connectionState === "connected") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${who} did not connect in 15 s (state ${pc.connectionState})`)), 15_000);
    const subscription = pc.connectionStateChange.subscribe((state) => {
      if (state !== "connected") return;
      clearTimeout(timer);
      subscription.unSubscribe();
      resolve();
    });
  });
}

export interface LoadTotals {
  sent: number;
  received: number;
  /** Packets the subscribers should have received since their first one (sequence-number span). */
  expected: number;
  connected: number;
}

export class WebRtcLoad {
  readonly #publisher = newPeerConnection();
  readonly #track = new MediaStreamTrack({ kind: "video" });
  readonly #subscribers: RTCPeerConnection[] = [];
  readonly #counters: StreamCounter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;
  #connected = 0;

  constructor(readonly options: LoadOptions) {}

  /** Publishes, then subscribes every subscriber one after the other; resolves when all media flows. */
  async start(sfu: SfuSignaling, log: (line: string) => void): Promise<void> {
    this.#publisher.addTransceiver(this.#track, { direction: "sendonly" });
    await this.#publisher.setLocalDescription(await this.#publisher.createOffer());
    const answer = await sfu.publish(await completeLocalSdp(this.#publisher));
    await this.#publisher.setRemoteDescription({ type: "answer", sdp: answer });
    await connected(this.#publisher, "the publisher");
    this.#startSending();
    for (let i = 0; i < this.options.subscribers; i++) {
      const pc = newPeerConnection();
      const counter = new StreamCounter();
      this.#subscribers.push(pc);
      this.#counters.push(counter);
      pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => counter.onPacket(rtp.header.sequenceNumber)));
      pc.connectionStateChange.subscribe((state) => {
        if (state === "connected") this.#connected++;
      });
      const offer = await sfu.subscribe(i);
      await pc.setRemoteDescription({ type: "offer", sdp: offer.offerSdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await offer.answer(await completeLocalSdp(pc));
      if ((i + 1) % 25 === 0) log(`${i + 1}/${this.options.subscribers} subscribers`);
    }
    const deadline = Date.now() + 30_000;
    while (this.#counters.some((c) => c.received === 0)) {
      if (Date.now() > deadline) throw new Error(`${this.#counters.filter((c) => c.received === 0).length} subscribers got no media in 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  #startSending(): void {
    const { fps, packetsPerFrame, packetBytes } = this.options;
    const start = performance.now();
    let frames = 0;
    let seq = 0;
    this.#timer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) * fps) / 1000);
      for (; frames < due; frames++) {
        const keyframe = frames % (fps * 2) === 0;
        for (let i = 0; i < packetsPerFrame; i++) {
          seq = (seq + 1) & 0xffff;
          const payload = vp8Payload({ pictureId: frames & 0x7fff, tl0PicIdx: frames & 0xff, start: i === 0, keyframe, size: packetBytes });
          // werift's sender rewrites SSRC and payload type to the negotiated ones
          this.#track.writeRtp(
            rtpPacket({ payloadType: 96, sequenceNumber: seq, timestamp: Math.round((frames * 90000) / fps), ssrc: 1, marker: i === packetsPerFrame - 1, payload }),
          );
          this.#sent++;
        }
      }
    }, 5);
  }

  totals(): LoadTotals {
    let received = 0;
    let expected = 0;
    for (const c of this.#counters) {
      received += c.received;
      expected += c.expected;
    }
    return { sent: this.#sent, received, expected, connected: this.#connected };
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([this.#publisher, ...this.#subscribers].map((pc) => pc.close()));
  }
}

/** The parts of an SDP the SFUs here need: first fingerprint, first VP8 payload type, first SSRC, mid, setup. */
export function sdpFacts(sdp: string): {
  fingerprint: { algorithm: string; value: string };
  payloadType: number | null;
  ssrc: number | null;
  mid: string | null;
  setup: string | null;
} {
  const fp = /a=fingerprint:(\S+) (\S+)/.exec(sdp);
  if (!fp) throw new Error("SDP without a DTLS fingerprint");
  const pt = /a=rtpmap:(\d+) VP8\/90000/i.exec(sdp);
  const ssrc = /a=ssrc:(\d+)/.exec(sdp);
  return {
    fingerprint: { algorithm: fp[1]!.toLowerCase(), value: fp[2]!.toUpperCase() },
    payloadType: pt ? Number(pt[1]) : null,
    ssrc: ssrc ? Number(ssrc[1]) : null,
    mid: /a=mid:(\S+)/.exec(sdp)?.[1] ?? null,
    setup: /a=setup:(\S+)/.exec(sdp)?.[1] ?? null,
  };
}

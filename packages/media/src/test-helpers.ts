// Helpers for the media tests and the SFU benchmark (not exported from the package).
import type { types } from "mediasoup";
import type { Peer } from "./Peer.ts";
import type { TransportInfo } from "./peerTypes.ts";
import type { Room } from "./Room.ts";

/** VP8 with 3 simulcast encodings given by SSRC (no rid/mid needed), as a sender would announce it. */
export function vp8SimulcastParameters(ssrcs: [number, number, number] = [1111, 2222, 3333], cname = "test"): types.RtpParameters {
  return {
    codecs: [
      {
        mimeType: "video/VP8",
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }],
      },
    ],
    headerExtensions: [],
    encodings: ssrcs.map((ssrc, i) => ({ ssrc, maxBitrate: [150_000, 350_000, 700_000][i] })),
    rtcp: { cname, reducedSize: true },
  };
}

export function opusParameters(ssrc = 4444, cname = "test"): types.RtpParameters {
  return {
    codecs: [{ mimeType: "audio/opus", payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname, reducedSize: true },
  };
}

/**
 * Receiver capabilities without bandwidth-estimation feedback (no transport-cc, REMB, abs-send-time):
 * a plain RTP receiver that never sends feedback then gets the preferred (highest) simulcast layer.
 */
export function noBweCapabilities(caps: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: (caps.codecs ?? []).map((codec) => ({
      ...codec,
      rtcpFeedback: (codec.rtcpFeedback ?? []).filter((fb) => fb.type !== "transport-cc" && fb.type !== "goog-remb"),
    })),
    headerExtensions: (caps.headerExtensions ?? []).filter(
      (ext) => ext.uri !== "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01" && ext.uri !== "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    ),
  };
}

/** Counts what a router holds, from its dump and its transports' dumps. */
export async function routerContents(router: types.Router): Promise<{
  transports: number;
  producers: string[];
  consumers: string[];
}> {
  const dump = await router.dump();
  return {
    transports: dump.transportIds.length,
    producers: dump.mapProducerIdConsumerIds.map((e) => e.key),
    consumers: dump.mapConsumerIdProducerId.map((e) => e.key),
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function nextEvent<T extends unknown[]>(emitter: { once(event: string, listener: (...args: T) => void): unknown }, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out waiting for "${event}"`)), timeoutMs);
    emitter.once(event, (...args: T) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Peer `speaker` sends Opus audio (SSRC `ssrc`) and every one of `listeners` consumes it on a receive transport of its own. */
export async function audioFromTo(room: Room, speaker: string, listeners: string[], ssrc?: number): Promise<{ producerId: string; send: TransportInfo; listeners: Peer[] }> {
  const from = room.addPeer(speaker);
  const send = await from.createWebRtcTransport("send");
  const { producerId } = await from.produce({ transportId: send.id, kind: "audio", rtpParameters: opusParameters(ssrc), source: "mic" });
  const peers: Peer[] = [];
  for (const id of listeners) {
    const peer = room.addPeer(id);
    const recv = await peer.createWebRtcTransport("recv");
    await peer.consume({ transportId: recv.id, producerId, rtpCapabilities: room.rtpCapabilities });
    peers.push(peer);
  }
  return { producerId, send, listeners: peers };
}

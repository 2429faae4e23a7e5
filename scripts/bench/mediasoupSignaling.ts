// Our SFU (packages/media Room/Peer over mediasoup WebRtcTransports) behind the SDP offer/answer the
// WebRTC load speaks: mediasoup takes parameters, not SDP, so the SDP is built here from them (what
// mediasoup-client does in a browser), for one VP8 stream per transport.
import type { types } from "mediasoup";
import type { Room, TransportInfo } from "../../packages/media/src/index.ts";
import { noBweCapabilities } from "../../packages/media/src/test-helpers.ts";
import { sdpFacts, type SfuSignaling } from "./webrtcLoad.ts";

function mediaSection(
  transport: TransportInfo,
  options: { mid: string; direction: "sendonly" | "recvonly"; setup: string; payloadType: number; ssrc?: number; midExtensionId?: number },
): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === "sha-256") ?? transport.dtlsParameters.fingerprints[0]!;
  const candidates = transport.iceCandidates
    .filter((c) => c.protocol === "udp")
    .map((c, i) => `a=candidate:${c.foundation || i} 1 udp ${c.priority} ${c.address} ${c.port} typ host`);
  return [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=ice-lite",
    `a=group:BUNDLE ${options.mid}`,
    "a=msid-semantic: WMS *",
    `m=video 7 UDP/TLS/RTP/SAVPF ${options.payloadType}`,
    "c=IN IP4 127.0.0.1",
    `a=mid:${options.mid}`,
    `a=${options.direction}`,
    "a=rtcp-mux",
    "a=rtcp-rsize",
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
    `a=setup:${options.setup}`,
    `a=rtpmap:${options.payloadType} VP8/90000`,
    `a=rtcp-fb:${options.payloadType} nack`,
    `a=rtcp-fb:${options.payloadType} nack pli`,
    ...(options.midExtensionId !== undefined ? [`a=extmap:${options.midExtensionId} urn:ietf:params:rtp-hdrext:sdes:mid`] : []),
    ...(options.ssrc !== undefined ? [`a=msid:bench video`, `a=ssrc:${options.ssrc} cname:bench`] : []),
    ...candidates,
    "a=end-of-candidates",
    "",
  ].join("\r\n");
}

const vp8Feedback: types.RtcpFeedback[] = [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }];

/** Signaling of the WebRTC load into `room`: one publisher peer, one subscriber peer per subscriber. */
export function mediasoupSignaling(room: Room): SfuSignaling {
  let producerId: string | null = null;
  return {
    async publish(offerSdp) {
      const offer = sdpFacts(offerSdp);
      if (offer.payloadType === null || offer.ssrc === null) throw new Error("publisher offer without VP8 or SSRC");
      const peer = room.addPeer("publisher");
      const transport = await peer.createWebRtcTransport("send");
      // the publisher offered actpass: we answer passive, so it is the DTLS client
      await peer.connectTransport(transport.id, { role: "client", fingerprints: [offer.fingerprint as types.DtlsFingerprint] });
      ({ producerId } = await peer.produce({
        transportId: transport.id,
        kind: "video",
        source: "camera",
        rtpParameters: {
          codecs: [{ mimeType: "video/VP8", payloadType: offer.payloadType, clockRate: 90000, rtcpFeedback: vp8Feedback }],
          encodings: [{ ssrc: offer.ssrc }],
          headerExtensions: [],
          rtcp: { cname: "publisher", reducedSize: true },
        },
      }));
      return mediaSection(transport, { mid: offer.mid ?? "0", direction: "recvonly", setup: "passive", payloadType: offer.payloadType });
    },
    async subscribe(index) {
      if (producerId === null) throw new Error("subscribe before publish");
      const peer = room.addPeer(`subscriber-${index}`);
      const transport = await peer.createWebRtcTransport("recv");
      const capabilities = noBweCapabilities(room.rtpCapabilities);
      capabilities.codecs = capabilities.codecs?.filter((c) => c.mimeType.toLowerCase() === "video/vp8");
      capabilities.headerExtensions = capabilities.headerExtensions?.filter((h) => h.kind === "video" && h.uri === "urn:ietf:params:rtp-hdrext:sdes:mid");
      const consumer = await peer.consume({ transportId: transport.id, producerId, rtpCapabilities: capabilities });
      const codec = consumer.rtpParameters.codecs[0]!;
      const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
      const midExtension = consumer.rtpParameters.headerExtensions?.find((h) => h.uri === "urn:ietf:params:rtp-hdrext:sdes:mid");
      const mid = consumer.rtpParameters.mid ?? "0";
      const offerSdp = mediaSection(transport, { mid, direction: "sendonly", setup: "actpass", payloadType: codec.payloadType, ssrc, midExtensionId: midExtension?.id });
      return {
        offerSdp,
        async answer(answerSdp) {
          const answer = sdpFacts(answerSdp);
          // the subscriber answered active (DTLS client) or passive (DTLS server)
          const role = answer.setup === "passive" ? "server" : "client";
          await peer.connectTransport(transport.id, { role, fingerprints: [answer.fingerprint as types.DtlsFingerprint] });
          await peer.resumeConsumer(consumer.consumerId);
        },
      };
    },
  };
}

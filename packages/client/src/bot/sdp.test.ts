import { expect, test } from "vitest";
import { sdpFor } from "./sdp.ts";

test("an opus stream's SDP names its port, payload type, clock rate, channels and parameters", () => {
  const sdp = sdpFor(
    { kind: "audio", rtpParameters: { codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 } }] } },
    { port: 5004 },
  );
  expect(sdp.split("\r\n")).toEqual([
    "v=0",
    "o=- 0 0 IN IP4 127.0.0.1",
    "s=QualMeet bot",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    "m=audio 5004 RTP/AVP 100",
    "a=rtpmap:100 opus/48000/2",
    "a=fmtp:100 minptime=10;useinbandfec=1",
    "a=recvonly",
    "",
  ]);
});

test("a VP8 stream on an IPv6 address has no channels and no fmtp line", () => {
  const sdp = sdpFor({ kind: "video", rtpParameters: { codecs: [{ mimeType: "video/VP8", payloadType: 101, clockRate: 90000 }] } }, { port: 6000, ip: "::1" });
  expect(sdp).toContain("c=IN IP6 ::1\r\n");
  expect(sdp).toContain("m=video 6000 RTP/AVP 101\r\na=rtpmap:101 VP8/90000\r\na=recvonly");
  expect(sdp).not.toContain("a=fmtp");
});

test("a stream without a codec is refused with a clear error", () => {
  expect(() => sdpFor({ kind: "audio", rtpParameters: { codecs: [] } }, { port: 5004 })).toThrow("sdpFor: the stream has no codec");
});

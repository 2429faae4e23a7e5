import { expect, test } from "vitest";
import { isRtcp, parseRtp } from "./rtp.ts";

/** An RTP packet: version 2, with the given header bits, CSRCs, extension words and padding. */
function rtpPacket(options: {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrcs?: number;
  extensionWords?: number;
  padding?: number;
  payload: Buffer;
}): Buffer {
  const { csrcs = 0, extensionWords, padding = 0 } = options;
  const header = Buffer.alloc(12 + csrcs * 4);
  header[0] = 0x80 | (padding ? 0x20 : 0) | (extensionWords !== undefined ? 0x10 : 0) | csrcs;
  header[1] = (options.marker ? 0x80 : 0) | options.payloadType;
  header.writeUInt16BE(options.sequenceNumber, 2);
  header.writeUInt32BE(options.timestamp, 4);
  header.writeUInt32BE(options.ssrc, 8);
  const extension = extensionWords === undefined ? Buffer.alloc(0) : Buffer.alloc(4 + extensionWords * 4);
  if (extensionWords !== undefined) extension.writeUInt16BE(extensionWords, 2);
  const pad = Buffer.alloc(padding);
  if (padding) pad[padding - 1] = padding;
  return Buffer.concat([header, extension, options.payload, pad]);
}

test("an opus packet's header fields and payload", () => {
  const payload = Buffer.from("opus frame");
  const packet = parseRtp(rtpPacket({ payloadType: 100, sequenceNumber: 65535, timestamp: 4_000_000_000, ssrc: 0xdeadbeef, marker: true, payload }));
  expect(packet).toMatchObject({ payloadType: 100, sequenceNumber: 65535, timestamp: 4_000_000_000, ssrc: 0xdeadbeef, marker: true });
  expect(packet!.payload.toString()).toBe("opus frame");
});

test("CSRCs, a header extension and padding are not part of the payload", () => {
  const packet = parseRtp(rtpPacket({ payloadType: 101, sequenceNumber: 7, timestamp: 1, ssrc: 2, csrcs: 2, extensionWords: 3, padding: 4, payload: Buffer.from("vp8") }));
  expect(packet!.payload.toString()).toBe("vp8");
});

test("RTCP on the same port, other protocols and truncated packets are not RTP", () => {
  const senderReport = Buffer.alloc(28);
  senderReport[0] = 0x80;
  senderReport[1] = 200;
  expect(isRtcp(senderReport)).toBe(true);
  expect(parseRtp(senderReport)).toBeNull();
  expect(parseRtp(Buffer.from("not a media packet at all"))).toBeNull();
  expect(parseRtp(Buffer.alloc(8, 0x80))).toBeNull();
  // an extension longer than the datagram
  const truncated = rtpPacket({ payloadType: 100, sequenceNumber: 1, timestamp: 1, ssrc: 1, extensionWords: 100, payload: Buffer.alloc(0) }).subarray(0, 20);
  expect(parseRtp(truncated)).toBeNull();
});

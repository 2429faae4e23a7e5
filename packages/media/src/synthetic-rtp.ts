// Synthetic RTP for the media tests and the SFU benchmark (not exported from the package):
// enough of RTP, the VP8 payload descriptor and RTCP feedback for mediasoup to forward and switch layers.

export const AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

export interface RtpPacketInput {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  payload: Buffer;
  /** One-byte header extension (RFC 8285) with the ssrc-audio-level value: level in -dBov (0-127), voice flag. */
  audioLevel?: { id: number; level: number; voice?: boolean };
}

export function rtpPacket(input: RtpPacketInput): Buffer {
  const ext = input.audioLevel;
  const extLength = ext ? 8 : 0; // 0xBEDE + length(1 word) + 1 element (2 bytes) + 2 padding
  const packet = Buffer.allocUnsafe(12 + extLength + input.payload.length);
  packet[0] = 0x80 | (ext ? 0x10 : 0); // V=2, X
  packet[1] = (input.marker ? 0x80 : 0) | (input.payloadType & 0x7f);
  packet.writeUInt16BE(input.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(input.timestamp >>> 0, 4);
  packet.writeUInt32BE(input.ssrc >>> 0, 8);
  if (ext) {
    packet.writeUInt16BE(0xbede, 12);
    packet.writeUInt16BE(1, 14);
    packet[16] = ((ext.id & 0x0f) << 4) | 0; // L=0: one byte of data
    packet[17] = (ext.voice === false ? 0 : 0x80) | (ext.level & 0x7f);
    packet[18] = 0;
    packet[19] = 0;
  }
  input.payload.copy(packet, 12 + extLength);
  return packet;
}

export interface Vp8PayloadInput {
  pictureId: number;
  tl0PicIdx: number;
  /** First packet of a frame (S bit, and the VP8 payload header follows). */
  start: boolean;
  keyframe: boolean;
  /** Total payload size in bytes (descriptor included). */
  size: number;
  width?: number;
  height?: number;
}

/** A VP8 RTP payload: extended descriptor (15-bit picture id, TL0PICIDX, TID 0) + a VP8 frame header when `start`. */
export function vp8Payload(input: Vp8PayloadInput): Buffer {
  const payload = Buffer.alloc(Math.max(input.size, 16), 0x5a);
  payload[0] = 0x80 | (input.start ? 0x10 : 0); // X, S, PID 0
  payload[1] = 0x80 | 0x40 | 0x20; // I, L, T
  payload[2] = 0x80 | ((input.pictureId >> 8) & 0x7f); // M: 15-bit picture id
  payload[3] = input.pictureId & 0xff;
  payload[4] = input.tl0PicIdx & 0xff;
  payload[5] = 0x20; // TID 0, Y (layer sync), KEYIDX 0
  if (input.start) {
    // VP8 frame tag: bit 0 = 0 for a key frame, show_frame = 1, first partition size (arbitrary)
    const size0 = 100;
    payload[6] = (input.keyframe ? 0 : 1) | 0x10 | ((size0 & 0x7) << 5);
    payload[7] = (size0 >> 3) & 0xff;
    payload[8] = (size0 >> 11) & 0xff;
    if (input.keyframe) {
      payload[9] = 0x9d;
      payload[10] = 0x01;
      payload[11] = 0x2a;
      payload.writeUInt16LE((input.width ?? 640) & 0x3fff, 12);
      payload.writeUInt16LE((input.height ?? 360) & 0x3fff, 14);
    }
  }
  return payload;
}

/**
 * An RTCP Sender Report (no report blocks). mediasoup needs SRs of every simulcast stream (their
 * NTP/RTP-timestamp mapping) before it switches a consumer between spatial layers.
 */
export function senderReport(input: { ssrc: number; wallClockMs: number; rtpTimestamp: number; packetCount: number; octetCount: number }): Buffer {
  const packet = Buffer.alloc(28);
  packet[0] = 0x80; // V=2, RC=0
  packet[1] = 200; // SR
  packet.writeUInt16BE(6, 2); // length in 32-bit words minus one
  packet.writeUInt32BE(input.ssrc >>> 0, 4);
  const ntpSeconds = input.wallClockMs / 1000 + 2_208_988_800; // NTP epoch is 1900
  const msw = Math.floor(ntpSeconds);
  packet.writeUInt32BE(msw >>> 0, 8);
  packet.writeUInt32BE(Math.floor((ntpSeconds - msw) * 2 ** 32) >>> 0, 12);
  packet.writeUInt32BE(input.rtpTimestamp >>> 0, 16);
  packet.writeUInt32BE(input.packetCount >>> 0, 20);
  packet.writeUInt32BE(input.octetCount >>> 0, 24);
  return packet;
}

export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
}

/** True for RTCP (payload types 192-223 in the second byte) when RTP and RTCP share a port. */
export function isRtcp(packet: Buffer): boolean {
  if (packet.length < 8) return false;
  const pt = packet[1]!;
  return pt >= 192 && pt <= 223;
}

export function parseRtpHeader(packet: Buffer): RtpHeader | null {
  if (packet.length < 12 || packet[0]! >> 6 !== 2 || isRtcp(packet)) return null;
  return {
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
  };
}

/** Media SSRCs asked for a key frame (PLI, or FIR) in a compound RTCP packet. */
export function keyFrameRequests(packet: Buffer): number[] {
  const ssrcs: number[] = [];
  let offset = 0;
  while (offset + 4 <= packet.length) {
    const fmt = packet[offset]! & 0x1f;
    const pt = packet[offset + 1]!;
    const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
    if (offset + length > packet.length) break;
    if (pt === 206 && fmt === 1 && length >= 12) ssrcs.push(packet.readUInt32BE(offset + 8)); // PLI
    if (pt === 206 && fmt === 4 && length >= 20) ssrcs.push(packet.readUInt32BE(offset + 12)); // FIR: first entry
    offset += length;
  }
  return ssrcs;
}

/** Counts packets of one received stream and its losses from sequence-number gaps (16-bit wrap handled). */
export class StreamCounter {
  received = 0;
  #base = -1;
  #highest = -1; // extended
  #cycles = 0;
  #last = -1;

  onPacket(sequenceNumber: number): void {
    this.received++;
    if (this.#last < 0) {
      this.#base = sequenceNumber;
      this.#highest = sequenceNumber;
      this.#last = sequenceNumber;
      return;
    }
    const delta = (sequenceNumber - this.#last) & 0xffff;
    if (delta > 0 && delta < 0x8000) {
      if (sequenceNumber < this.#last) this.#cycles += 0x10000;
      this.#last = sequenceNumber;
      this.#highest = this.#cycles + sequenceNumber;
    }
  }

  /** Packets the sender emitted between the first and the highest one seen. */
  get expected(): number {
    return this.#last < 0 ? 0 : this.#highest - this.#base + 1;
  }

  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }
}

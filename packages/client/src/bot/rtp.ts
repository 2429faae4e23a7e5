// RTP as it arrives on a bot's UDP socket (RFC 3550): the media server multiplexes RTCP on the same port (RFC 5761),
// so every datagram is told apart first, then parsed without copying its payload.

export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  /** the media (codec) bytes, without header, CSRCs, extension or padding: a view into the datagram */
  payload: Buffer;
}

const RTP_HEADER_BYTES = 12;

/** RTCP packet types 192-223 sit where RTP has its marker bit and payload type (RFC 5761 section 4). */
export function isRtcp(datagram: Buffer): boolean {
  return datagram.length >= 8 && datagram[0]! >> 6 === 2 && datagram[1]! >= 192 && datagram[1]! <= 223;
}

/** The RTP packet in `datagram`, or null for RTCP, another protocol or a packet too short for what its header says. */
export function parseRtp(datagram: Buffer): RtpPacket | null {
  if (datagram.length < RTP_HEADER_BYTES || datagram[0]! >> 6 !== 2 || isRtcp(datagram)) return null;
  const first = datagram[0]!;
  const csrcCount = first & 0x0f;
  let offset = RTP_HEADER_BYTES + csrcCount * 4;
  if (first & 0x10) {
    // header extension: 16-bit profile, 16-bit length in 32-bit words
    if (datagram.length < offset + 4) return null;
    offset += 4 + datagram.readUInt16BE(offset + 2) * 4;
  }
  let end = datagram.length;
  if (first & 0x20) end -= datagram[datagram.length - 1]!;
  if (offset > end) return null;
  return {
    payloadType: datagram[1]! & 0x7f,
    marker: (datagram[1]! & 0x80) !== 0,
    sequenceNumber: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4),
    ssrc: datagram.readUInt32BE(8),
    payload: datagram.subarray(offset, end),
  };
}

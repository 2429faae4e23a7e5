// The bot's UDP sockets: what it receives (counted per stream, and handed on to a recorder), and the relay through
// which ffmpeg's RTP reaches the server from one address and port (the server's send transport learns the bot's
// address from the first packet it gets, so every stream and its RTCP must come from the same one).
import { createSocket, type Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import { parseRtp, type RtpPacket } from "./rtp.ts";

export interface StreamStats {
  ssrc: number;
  payloadType: number;
  packets: number;
  bytes: number;
  /** packets missing from the sequence numbers seen so far */
  lost: number;
  firstAt: number;
  lastAt: number;
}

/** A UDP socket bound on every interface (IPv6 and IPv4 where the system has both), on a free port. */
export async function bindUdp(): Promise<Socket> {
  for (const [type, address] of [
    ["udp6", "::"],
    ["udp4", "0.0.0.0"],
  ] as const) {
    const socket = createSocket({ type });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind({ port: 0, address }, () => {
          socket.off("error", reject);
          resolve();
        });
      });
      return socket;
    } catch (error) {
      socket.close();
      if (type === "udp4") throw error;
    }
  }
  throw new Error("unreachable");
}

interface Tracked extends StreamStats {
  /** highest sequence number, extended past 65535 */
  highest: number;
  first: number;
}

/**
 * Counts the RTP arriving on `socket` per SSRC (`stats()`), emits each packet ("packet"), and copies the packets of
 * an SSRC to another UDP port (`forward`, e.g. to an ffmpeg that records them from an SDP of sdpFor()).
 */
export class RtpRecorder extends EventEmitter<{ packet: [packet: RtpPacket, datagram: Buffer] }> {
  readonly #streams = new Map<number, Tracked>();
  readonly #forwards = new Map<number, { ip: string; port: number }>();

  constructor(readonly socket: Socket) {
    super();
    socket.on("message", (datagram) => this.#receive(datagram));
  }

  #receive(datagram: Buffer): void {
    const packet = parseRtp(datagram);
    if (!packet) return;
    const now = Date.now();
    let stream = this.#streams.get(packet.ssrc);
    if (!stream) {
      stream = {
        ssrc: packet.ssrc,
        payloadType: packet.payloadType,
        packets: 0,
        bytes: 0,
        lost: 0,
        firstAt: now,
        lastAt: now,
        first: packet.sequenceNumber,
        highest: packet.sequenceNumber,
      };
      this.#streams.set(packet.ssrc, stream);
    }
    // the sequence number nearest the highest so far, counting wraps past 65535
    let extended = (stream.highest & ~0xffff) | packet.sequenceNumber;
    if (extended < stream.highest - 0x8000) extended += 0x10000;
    else if (extended > stream.highest + 0x8000) extended -= 0x10000;
    stream.highest = Math.max(stream.highest, extended);
    stream.packets++;
    stream.bytes += packet.payload.length;
    stream.lastAt = now;
    stream.lost = Math.max(0, stream.highest - stream.first + 1 - stream.packets);
    const target = this.#forwards.get(packet.ssrc);
    if (target) this.socket.send(datagram, target.port, target.ip);
    this.emit("packet", packet, datagram);
  }

  stats(): StreamStats[] {
    return [...this.#streams.values()].map(({ highest: _h, first: _f, ...stats }) => stats);
  }

  forward(ssrc: number, target: { ip: string; port: number }): void {
    this.#forwards.set(ssrc, target);
  }

  stopForwarding(ssrc: number): void {
    this.#forwards.delete(ssrc);
  }

  close(): void {
    this.socket.close();
  }
}

/** Takes ffmpeg's RTP and RTCP on a loopback port and sends them on to the server from one socket. */
export class RtpRelay {
  packets = 0;
  bytes = 0;
  firstAt: number | null = null;

  private constructor(
    private readonly inbound: Socket,
    private readonly outbound: Socket,
    target: { ip: string; port: number },
  ) {
    inbound.on("message", (datagram) => {
      // RTCP goes on too, uncounted
      if (parseRtp(datagram)) {
        this.packets++;
        this.bytes += datagram.length;
        this.firstAt ??= Date.now();
      }
      outbound.send(datagram, target.port, target.ip);
    });
  }

  static async open(target: { ip: string; port: number }): Promise<RtpRelay> {
    const listen = async (type: "udp4" | "udp6", address: string) => {
      const socket = createSocket({ type });
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind({ port: 0, address }, () => resolve());
      });
      return socket;
    };
    const inbound = await listen("udp4", "127.0.0.1");
    const outbound = await listen(target.ip.includes(":") ? "udp6" : "udp4", target.ip.includes(":") ? "::" : "0.0.0.0").catch((error: unknown) => {
      inbound.close();
      throw error;
    });
    return new RtpRelay(inbound, outbound, target);
  }

  /** Where ffmpeg sends its RTP (and RTCP). */
  get port(): number {
    return this.inbound.address().port;
  }

  /** RTP packets per second since the first one. */
  packetsPerSecond(now = Date.now()): number {
    return this.firstAt === null || now === this.firstAt ? 0 : (this.packets * 1000) / (now - this.firstAt);
  }

  close(): void {
    this.inbound.close();
    this.outbound.close();
  }
}

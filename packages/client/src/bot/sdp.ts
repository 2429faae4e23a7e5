// An SDP that describes one stream a bot receives, for a program that reads RTP from a UDP port (ffmpeg, GStreamer):
// `ffmpeg -protocol_whitelist file,udp,rtp -i stream.sdp -c copy out.ogg` records it.

/** What sdpFor needs of a consumer (bot.consume's answer). */
export interface SdpStream {
  kind: "audio" | "video";
  rtpParameters: {
    codecs: Array<{ mimeType: string; payloadType: number; clockRate: number; channels?: number; parameters?: Record<string, unknown> }>;
  };
}

/** The SDP of `stream` arriving at `port` (on `ip`, 127.0.0.1 by default) as plain RTP with its first codec. */
export function sdpFor(stream: SdpStream, target: { port: number; ip?: string }): string {
  const codec = stream.rtpParameters.codecs[0];
  if (!codec) throw new Error("sdpFor: the stream has no codec");
  const ip = target.ip ?? "127.0.0.1";
  const family = ip.includes(":") ? "IP6" : "IP4";
  const encoding = codec.mimeType.split("/")[1];
  if (!encoding) throw new Error(`sdpFor: ${JSON.stringify(codec.mimeType)} is not a MIME type like audio/opus`);
  const rtpmap = `${encoding}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : ""}`;
  const fmtp = Object.entries(codec.parameters ?? {}).map(([name, value]) => `${name}=${String(value)}`);
  return [
    "v=0",
    `o=- 0 0 IN ${family} ${ip}`,
    "s=QualMeet bot",
    `c=IN ${family} ${ip}`,
    "t=0 0",
    `m=${stream.kind} ${target.port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp.length ? [`a=fmtp:${codec.payloadType} ${fmtp.join(";")}`] : []),
    "a=recvonly",
    "",
  ].join("\r\n");
}

// What travels next to each SDP over the server's signal relay: which of the sender's RTCPeerConnections wrote
// it, which of the receiver's it is meant for, and which local stream carries which source. The lines are
// appended to the SDP (the relay carries only descriptions and candidates) and stripped before it is applied.
import type { MediaSource } from "@qualmeet/api";
import type { P2PSignal } from "../signaling";

export interface MeshDescription {
  type: "offer" | "answer";
  sdp: string;
  /** the sender's connection id */
  from: string;
  /** the receiver's connection id this description belongs to; "" when the sender's connection is new */
  to: string;
  /** remote stream id -> the source it carries */
  sources: Record<string, MediaSource>;
}

const EXTRA_LINE = /\r?\nx-qualmeet-(from|to|sources)=([^\r\n]*)/g;
const SOURCE_NAMES: readonly string[] = ["mic", "camera", "screen"];

export function encodeDescription(d: MeshDescription): NonNullable<P2PSignal["description"]> {
  const sources = Object.entries(d.sources)
    .map(([streamId, source]) => `${streamId}:${source}`)
    .join(",");
  return { type: d.type, sdp: `${d.sdp}\r\nx-qualmeet-from=${d.from}\r\nx-qualmeet-to=${d.to}\r\nx-qualmeet-sources=${sources}` };
}

/** The description, or null when it is not one of ours (no sender connection id, or not an offer/answer). */
export function decodeDescription(description: NonNullable<P2PSignal["description"]>): MeshDescription | null {
  if ((description.type !== "offer" && description.type !== "answer") || !description.sdp) return null;
  const extra: Record<string, string> = {};
  const sdp = description.sdp.replace(EXTRA_LINE, (_line, key: string, value: string) => {
    extra[key] = value;
    return "";
  });
  if (!extra.from) return null;
  const sources: Record<string, MediaSource> = {};
  for (const pair of (extra.sources ?? "").split(",").filter(Boolean)) {
    const [streamId, source] = pair.split(":");
    if (streamId && source && SOURCE_NAMES.includes(source)) sources[streamId] = source as MediaSource;
  }
  return { type: description.type, sdp, from: extra.from, to: extra.to ?? "", sources };
}

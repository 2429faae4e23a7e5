// The media model's shapes: what a Peer returns and emits, and what it needs from its Room.
import type { types } from "mediasoup";
import type { Peer } from "./Peer.ts";
import type { MediaWorker } from "./WorkerPool.ts";

export type TransportDirection = "send" | "recv";
export type ProducerSource = "mic" | "camera" | "screen";
export type MediaKind = types.MediaKind;

export interface TransportInfo {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
  sctpParameters?: undefined;
}

/** A plain RTP transport (server-side ingest/egress: ffmpeg, GStreamer, recorders, the SFU benchmark). */
export interface PlainTransportInfo {
  id: string;
  /** Where mediasoup listens (RTP and RTCP muxed). */
  ip: string;
  port: number;
}

export interface ProduceInput {
  transportId: string;
  kind: MediaKind;
  rtpParameters: types.RtpParameters;
  source: ProducerSource;
}

export interface ConsumeInput {
  transportId: string;
  producerId: string;
  rtpCapabilities: types.RtpCapabilities;
}

export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: types.RtpParameters;
  type: types.ConsumerType;
  producerPaused: boolean;
  producerPeerId: string;
  source: ProducerSource;
}

export interface ProducerInfo {
  producerId: string;
  kind: MediaKind;
  source: ProducerSource;
  paused: boolean;
}

export type ConsumerLayers = types.ConsumerLayers;

export type PeerEvents = {
  /** One of this peer's consumers closed without the peer asking (remote producer closed, its peer left, transport closed). */
  consumerclosed: [consumerId: string];
  /** The layers a simulcast/SVC consumer currently forwards (null: none). */
  consumerlayers: [consumerId: string, layers: ConsumerLayers | null];
  /** Consumer score, 0-10. */
  consumerscore: [consumerId: string, producerPeerId: string, score: number];
  /** One of this peer's own producers closed: closeProducer(), or its transport closed (not when the whole peer closes). */
  producerclosed: [producerId: string];
};

/** A router of a room, with its live load. Internal to the package. */
export interface RoomRouter {
  readonly router: types.Router;
  readonly mediaWorker: MediaWorker;
  /** Live consumers on this router (pipe consumers included). */
  consumers: number;
  /** Peers placed on this router (counted from placement on, before the router is even ready). */
  peers: number;
}

/** A producer as the room knows it. Internal to the package. */
export interface RoomProducer {
  readonly peer: Peer;
  readonly producer: types.Producer;
  readonly source: ProducerSource;
  readonly roomRouter: RoomRouter;
  /** Pipes of this producer to other routers of the room, by target router id. */
  readonly pipes: Map<string, Promise<void>>;
}

/** What bounds one peer's use of the media server (the room's options). */
export interface PeerLimits {
  /** producers a peer may hold at once, whatever their sources */
  readonly maxProducers: number;
  /** bits per second a transport accepts from its peer (mediasoup caps the bandwidth estimate it sends back); null: no cap */
  readonly maxIncomingBitrate: number | null;
}

/** What a Peer needs from its Room. Internal to the package. */
export interface PeerHost {
  readonly roomId: string;
  readonly limits: PeerLimits;
  /** Where a plain RTP transport listens (browsers' WebRTC transports go through their worker's WebRtcServer). */
  plainListenInfo(): types.TransportListenInfo;
  findProducer(producerId: string): RoomProducer | undefined;
  /** Registers the producer (synchronously) and adds audio to the room's observers. */
  addProducer(peer: Peer, producer: types.Producer, source: ProducerSource, roomRouter: RoomRouter): Promise<void>;
  /** Makes `entry`'s producer consumable on `target` (pipeToRouter once per producer and router). */
  pipe(entry: RoomProducer, target: RoomRouter): Promise<void>;
  peerClosed(peer: Peer): void;
}

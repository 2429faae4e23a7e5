// @qualmeet/media: a typed mediasoup model (worker pool, rooms, peers) that the signaling layer drives.
// It knows nothing of tRPC, users or Redis.
export { MediaError, type MediaErrorCode } from "./errors.ts";
export { MEDIA_CODECS } from "./codecs.ts";
export { WorkerPool, type WorkerPoolOptions, type WorkerPoolEvents, type MediaWorker, type WorkerLoad } from "./WorkerPool.ts";
export { Room, type RoomOptions, type RoomEvents, type AudioLevel } from "./Room.ts";
export { Peer } from "./Peer.ts";
export type {
  PeerEvents,
  TransportDirection,
  ProducerSource,
  MediaKind,
  TransportInfo,
  ProduceInput,
  ConsumeInput,
  ConsumeResult,
  ProducerInfo,
  PlainTransportInfo,
  ConsumerLayers,
} from "./peerTypes.ts";
export type { types as mediasoupTypes } from "mediasoup";

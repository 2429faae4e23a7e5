// @qualmeet/media: a typed mediasoup model (worker pool, rooms, peers) that the signaling layer drives.
// It knows nothing of tRPC, users or Redis.
export { MediaError, type MediaErrorCode } from "./errors.ts";
export { MEDIA_CODECS } from "./codecs.ts";
export { WorkerPool, type WorkerPoolOptions, type WorkerPoolEvents, type MediaWorker, type WorkerLoad } from "./WorkerPool.ts";
export { Room, type RoomOptions, type RoomEvents, type AudioLevel } from "./Room.ts";
export {
  Peer,
  type PeerEvents,
  type TransportDirection,
  type ProducerSource,
  type MediaKind,
  type TransportInfo,
  type ProduceInput,
  type ConsumeInput,
  type ConsumeResult,
  type ProducerInfo,
  type PlainTransportInfo,
  type ConsumerLayers,
} from "./Peer.ts";
export type { types as mediasoupTypes } from "mediasoup";

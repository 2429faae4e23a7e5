import { EventEmitter } from "node:events";
import type { types } from "mediasoup";
import { MediaError, errorMessage } from "./errors.ts";
import type {
  ConsumeInput,
  ConsumeResult,
  ConsumerLayers,
  MediaKind,
  PeerEvents,
  PeerHost,
  PlainTransportInfo,
  ProduceInput,
  ProducerInfo,
  ProducerSource,
  RoomRouter,
  TransportDirection,
  TransportInfo,
} from "./peerTypes.ts";

const SOURCE_KIND: Record<ProducerSource, MediaKind> = { mic: "audio", camera: "video", screen: "video" };
/**
 * Key frame requests for a video producer within this long after one sent are sent together when it ends.
 * Chrome ignores a request that comes within 300 ms of its last key frame, and mediasoup then waits a full
 * second before asking again: people who start watching a new camera a moment after someone else (everyone
 * in the meeting when a person joins) saw it ~1 s later than the first (bench:join, existing p95 1.8 s -> 1.1 s).
 */
const KEY_FRAME_REQUEST_DELAY_MS = 400;

type TransportEntry =
  { kind: "webrtc"; transport: types.WebRtcTransport; direction: TransportDirection } | { kind: "plain"; transport: types.PlainTransport; direction: TransportDirection };

interface ProducerEntry {
  producer: types.Producer;
  source: ProducerSource;
}

interface ConsumerEntry {
  consumer: types.Consumer;
  producerPeerId: string;
  source: ProducerSource;
}

/**
 * A participant's media: it owns its transports, producers and consumers, and only ever finds its own
 * by id (anything else is NOT_FOUND). Closing a transport closes what hangs on it; closing the peer
 * closes everything. What one peer can hold is bounded, so no participant can exhaust the server: one send
 * and one receive transport (a new one replaces the old), one consumer per remote producer (a new one
 * replaces the old), one producer per source and at most `limits.maxProducers` in all.
 */
export class Peer extends EventEmitter<PeerEvents> {
  readonly id: string;
  readonly #host: PeerHost;
  readonly #placement: Promise<RoomRouter>;
  readonly #transports = new Map<string, TransportEntry>();
  readonly #producers = new Map<string, ProducerEntry>();
  readonly #consumers = new Map<string, ConsumerEntry>();
  /** the DTLS fingerprints each WebRTC transport was connected with */
  readonly #connectedWith = new WeakMap<types.WebRtcTransport, string>();
  /** Sources with a producer or a produce() in flight. */
  readonly #sources = new Set<ProducerSource>();
  #closed = false;

  /** @internal Peers are made by Room.addPeer(). */
  constructor(id: string, host: PeerHost, placement: Promise<RoomRouter>) {
    super();
    this.id = id;
    this.#host = host;
    this.#placement = placement;
    // a failed placement surfaces on the next call; never as an unhandled rejection
    placement.catch(() => undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal The router this peer's transports live on. */
  router(): Promise<RoomRouter> {
    return this.#placement;
  }

  consumerCount(): number {
    return this.#consumers.size;
  }

  transportIds(): string[] {
    return [...this.#transports.keys()];
  }

  async createWebRtcTransport(direction: TransportDirection): Promise<TransportInfo> {
    const transport = await this.#newTransport("webrtc", direction, ({ router, mediaWorker }, appData) =>
      router.createWebRtcTransport({
        webRtcServer: mediaWorker.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
        appData,
      }),
    );
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      sctpParameters: undefined,
    };
  }

  /**
   * A plain RTP transport with RTP/RTCP multiplexed on one UDP port, no SRTP. With `comedia` (for
   * "send") mediasoup learns the remote address from the first packet; otherwise call
   * connectPlainTransport(). Not for browsers: for server-side media (ingest, recording, benchmarks).
   */
  async createPlainTransport(direction: TransportDirection, options: { comedia?: boolean } = {}): Promise<PlainTransportInfo> {
    const transport = await this.#newTransport("plain", direction, ({ router }, appData) =>
      router.createPlainTransport({ listenInfo: this.#host.plainListenInfo(), rtcpMux: true, comedia: options.comedia ?? false, appData }),
    );
    return { id: transport.id, ip: transport.tuple.localAddress, port: transport.tuple.localPort };
  }

  /**
   * Creates a transport of this peer on its router and keeps it until it closes (or drops it if the peer closed
   * meanwhile). It replaces the peer's transport of that direction, closing it with everything on it: a client
   * rebuilding its media gets fresh transports, and one calling in a loop never holds more than two.
   */
  async #newTransport<K extends TransportEntry["kind"], T extends Extract<TransportEntry, { kind: K }>["transport"]>(
    kind: K,
    direction: TransportDirection,
    create: (roomRouter: RoomRouter, appData: { peerId: string; direction: TransportDirection }) => Promise<T>,
  ): Promise<T> {
    this.#assertOpen();
    if (direction !== "send" && direction !== "recv") {
      throw new MediaError("BAD_REQUEST", `Transport direction must be "send" or "recv", got ${JSON.stringify(direction)}`);
    }
    const transport = await this.#guard(async () => {
      const roomRouter = await this.#placement;
      this.#assertOpen();
      const created = await create(roomRouter, { peerId: this.id, direction });
      const { maxIncomingBitrate } = this.#host.limits;
      if (maxIncomingBitrate !== null) {
        await created.setMaxIncomingBitrate(maxIncomingBitrate).catch((error: unknown) => {
          created.close();
          throw error;
        });
      }
      return created;
    });
    if (this.#closed) {
      transport.close();
      throw this.#closedError();
    }
    for (const [id, entry] of this.#transports) {
      if (entry.direction === direction) {
        this.#transports.delete(id);
        entry.transport.close();
      }
    }
    this.#transports.set(transport.id, { kind, transport, direction } as TransportEntry);
    (transport as types.Transport).observer.once("close", () => this.#transports.delete(transport.id));
    return transport;
  }

  /** Tells a plain transport where to send RTP (and RTCP, muxed). */
  async connectPlainTransport(transportId: string, remote: { ip: string; port: number }): Promise<void> {
    const entry = this.#transport(transportId);
    if (entry.kind !== "plain") {
      throw new MediaError("BAD_REQUEST", `Transport ${transportId} is a WebRTC transport: use connectTransport`);
    }
    await this.#guard(async () => {
      try {
        await entry.transport.connect({ ip: remote.ip, port: remote.port });
      } catch (error) {
        if (entry.transport.closed) throw new MediaError("NOT_FOUND", `Transport ${transportId} is closed`);
        throw new MediaError("BAD_REQUEST", `Could not connect transport ${transportId}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    });
  }

  async connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.#webRtcTransport(transportId);
    const fingerprints = JSON.stringify(dtlsParameters.fingerprints);
    // a client whose answer was lost (its socket moved to another node) asks again: the same DTLS identity
    // connecting again is that retry, not a second connect
    if (this.#connectedWith.get(transport) === fingerprints) return;
    await this.#guard(async () => {
      try {
        await transport.connect({ dtlsParameters });
        this.#connectedWith.set(transport, fingerprints);
      } catch (error) {
        if (transport.closed) throw new MediaError("NOT_FOUND", `Transport ${transportId} is closed`);
        throw new MediaError("BAD_REQUEST", `Could not connect transport ${transportId}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    });
  }

  async restartIce(transportId: string): Promise<types.IceParameters> {
    const transport = this.#webRtcTransport(transportId);
    return this.#guard(() => transport.restartIce());
  }

  async produce(input: ProduceInput): Promise<{ producerId: string }> {
    const { transportId, kind, rtpParameters, source } = input;
    const entry = this.#transport(transportId);
    if (entry.direction !== "send") {
      throw new MediaError("BAD_REQUEST", `Transport ${transportId} is a receive transport: produce on a send transport`);
    }
    if (!(source in SOURCE_KIND)) {
      throw new MediaError("BAD_REQUEST", `Unknown source ${JSON.stringify(source)}: use "mic", "camera" or "screen"`);
    }
    if (kind !== SOURCE_KIND[source]) {
      throw new MediaError("BAD_REQUEST", `A ${source} producer must be ${SOURCE_KIND[source]}, not ${JSON.stringify(kind)}`);
    }
    if (this.#sources.has(source)) {
      throw new MediaError("BAD_REQUEST", `You already have a ${source} producer: close it before producing another`);
    }
    const { maxProducers } = this.#host.limits;
    if (this.#sources.size >= maxProducers) {
      throw new MediaError("BAD_REQUEST", `You can send at most ${maxProducers} streams at once (microphone, camera, screen): stop one before starting another`);
    }
    this.#sources.add(source);
    let registered = false;
    try {
      const roomRouter = await this.#guard(() => this.#placement);
      const producer = await this.#guard(async () => {
        try {
          return await entry.transport.produce<{ peerId: string; source: ProducerSource }>({
            kind,
            rtpParameters,
            keyFrameRequestDelay: kind === "video" ? KEY_FRAME_REQUEST_DELAY_MS : 0,
            appData: { peerId: this.id, source },
          });
        } catch (error) {
          if (this.#closed) throw error;
          if (entry.transport.closed) throw new MediaError("NOT_FOUND", `Transport ${transportId} closed while producing`);
          throw new MediaError("BAD_REQUEST", `Invalid rtpParameters for a ${kind} producer: ${errorMessage(error)}`, {
            cause: error,
          });
        }
      });
      if (this.#closed || producer.closed) {
        producer.close();
        throw this.#closed ? this.#closedError() : new MediaError("NOT_FOUND", `Transport ${transportId} closed while producing`);
      }
      this.#producers.set(producer.id, { producer, source });
      registered = true;
      producer.observer.once("close", () => {
        this.#producers.delete(producer.id);
        this.#sources.delete(source);
        if (!this.#closed) this.emit("producerclosed", producer.id);
      });
      await this.#host.addProducer(this, producer, source, roomRouter);
      return { producerId: producer.id };
    } catch (error) {
      if (!registered) this.#sources.delete(source);
      throw error;
    }
  }

  async consume(input: ConsumeInput): Promise<ConsumeResult> {
    const { transportId, producerId, rtpCapabilities } = input;
    const entry = this.#transport(transportId);
    if (entry.direction !== "recv") {
      throw new MediaError("BAD_REQUEST", `Transport ${transportId} is a send transport: consume on a receive transport`);
    }
    const remote = this.#host.findProducer(producerId);
    if (!remote) throw new MediaError("NOT_FOUND", `Unknown producer ${producerId}`);
    if (remote.peer === this) throw new MediaError("BAD_REQUEST", "You cannot consume your own producer");
    const consumer = await this.#guard(async () => {
      const roomRouter = await this.#placement;
      this.#assertOpen();
      try {
        await this.#host.pipe(remote, roomRouter);
      } catch (error) {
        if (remote.producer.closed) throw new MediaError("NOT_FOUND", `Producer ${producerId} is closed`);
        throw error;
      }
      this.#assertOpen();
      if (remote.producer.closed) throw new MediaError("NOT_FOUND", `Producer ${producerId} is closed`);
      if (!roomRouter.router.canConsume({ producerId, rtpCapabilities })) {
        throw new MediaError("UNSUPPORTED", "This router cannot consume that producer with your RTP capabilities");
      }
      return entry.transport.consume<{ peerId: string; producerPeerId: string; source: ProducerSource }>({
        producerId,
        rtpCapabilities,
        paused: true,
        appData: { peerId: this.id, producerPeerId: remote.peer.id, source: remote.source },
      });
    });
    if (this.#closed || consumer.closed) {
      consumer.close();
      throw this.#closed ? this.#closedError() : new MediaError("NOT_FOUND", `Producer ${producerId} closed while consuming`);
    }
    // one consumer per producer: a consume asked again (its answer was lost, or a client misbehaves) replaces
    // the earlier one instead of sending the same media twice
    for (const earlier of [...this.#consumers.values()]) if (earlier.consumer.producerId === producerId) earlier.consumer.close();
    const producerPeerId = remote.peer.id;
    this.#consumers.set(consumer.id, { consumer, producerPeerId, source: remote.source });
    consumer.observer.once("close", () => {
      this.#consumers.delete(consumer.id);
      if (!this.#closed) this.emit("consumerclosed", consumer.id);
    });
    consumer.on("layerschange", (layers) => {
      if (!this.#closed) this.emit("consumerlayers", consumer.id, layers ?? null);
    });
    consumer.on("score", (score) => {
      if (!this.#closed) this.emit("consumerscore", consumer.id, producerPeerId, score.score);
    });
    return {
      consumerId: consumer.id,
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
      producerPeerId,
      source: remote.source,
    };
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const { consumer, producerPeerId } = this.#consumer(consumerId);
    await this.#guard(() => consumer.resume());
    // mediasoup reports a score only when it changes: give the client the current one to start from
    if (!this.#closed && !consumer.closed) this.emit("consumerscore", consumer.id, producerPeerId, consumer.score.score);
  }

  async pauseConsumer(consumerId: string): Promise<void> {
    const { consumer } = this.#consumer(consumerId);
    await this.#guard(() => consumer.pause());
  }

  async setPreferredLayers(consumerId: string, layers: ConsumerLayers): Promise<void> {
    const { consumer } = this.#consumer(consumerId);
    if (consumer.type !== "simulcast" && consumer.type !== "svc") {
      throw new MediaError("BAD_REQUEST", `Consumer ${consumerId} is not simulcast or SVC: it has no layers to prefer`);
    }
    const { spatialLayer, temporalLayer } = layers ?? {};
    if (!Number.isInteger(spatialLayer) || spatialLayer < 0) {
      throw new MediaError("BAD_REQUEST", "spatialLayer must be an integer >= 0");
    }
    if (temporalLayer !== undefined && (!Number.isInteger(temporalLayer) || temporalLayer < 0)) {
      throw new MediaError("BAD_REQUEST", "temporalLayer must be an integer >= 0");
    }
    await this.#guard(() => consumer.setPreferredLayers(temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer }));
  }

  async pauseProducer(producerId: string): Promise<void> {
    const { producer } = this.#producer(producerId);
    if (producer.paused) return;
    await this.#guard(() => producer.pause());
  }

  async resumeProducer(producerId: string): Promise<void> {
    const { producer } = this.#producer(producerId);
    if (!producer.paused) return;
    await this.#guard(() => producer.resume());
  }

  closeProducer(producerId: string): void {
    this.#producer(producerId).producer.close();
  }

  producers(): ProducerInfo[] {
    return [...this.#producers.values()].map(({ producer, source }) => ({
      producerId: producer.id,
      kind: producer.kind,
      source,
      paused: producer.paused,
    }));
  }

  /** Closes every transport (and so every producer and consumer) and leaves the room. Emits nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { transport } of [...this.#transports.values()]) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.#sources.clear();
    this.#host.peerClosed(this);
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): MediaError {
    return new MediaError("CLOSED", `Peer ${this.id} has left room ${this.#host.roomId}`);
  }

  /** Runs a mediasoup call; once the peer (or its room) closed, whatever failed becomes a CLOSED MediaError. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await fn();
    } catch (error) {
      if (this.#closed) throw this.#closedError();
      throw error;
    }
  }

  /** One of this peer's open transports, producers or consumers; anything else (also a foreign id) is NOT_FOUND. */
  #open<E>(entries: Map<string, E>, id: string, what: string, closed: (entry: E) => boolean): E {
    this.#assertOpen();
    const entry = typeof id === "string" ? entries.get(id) : undefined;
    if (!entry || closed(entry)) throw new MediaError("NOT_FOUND", `Unknown ${what} ${id}`);
    return entry;
  }

  #transport(transportId: string): TransportEntry {
    return this.#open(this.#transports, transportId, "transport", (e) => e.transport.closed);
  }

  #webRtcTransport(transportId: string): types.WebRtcTransport {
    const entry = this.#transport(transportId);
    if (entry.kind !== "webrtc") throw new MediaError("BAD_REQUEST", `Transport ${transportId} is a plain RTP transport`);
    return entry.transport;
  }

  #producer(producerId: string): ProducerEntry {
    return this.#open(this.#producers, producerId, "producer", (e) => e.producer.closed);
  }

  #consumer(consumerId: string): ConsumerEntry {
    return this.#open(this.#consumers, consumerId, "consumer", (e) => e.consumer.closed);
  }
}

import { EventEmitter } from "node:events";
import type { types } from "mediasoup";
import { MEDIA_CODECS } from "./codecs.ts";
import { MediaError } from "./errors.ts";
import { Peer } from "./Peer.ts";
import type { PeerHost, PeerLimits, RoomProducer, RoomRouter } from "./peerTypes.ts";
import type { MediaWorker, WorkerPool } from "./WorkerPool.ts";

export interface RoomOptions {
  pool: WorkerPool;
  id: string;
  /** A router that carries this many consumers takes no new peers: they go to a new router. Default 500. */
  maxConsumersPerRouter?: number;
  /** Where plain RTP transports listen and what they announce. Default: the pool's (WebRTC transports always use the pool's WebRtcServers). */
  announcedAddress?: string;
  listenIp?: string;
  /** Producers one peer may hold at once. Default 4: microphone, camera, screen and a screen's audio. */
  maxProducersPerPeer?: number;
  /** Bits per second each transport accepts from its peer (mediasoup's setMaxIncomingBitrate). Default: no cap. */
  maxIncomingBitrate?: number;
}

export interface AudioLevel {
  peerId: string;
  /** dBov, -127 (silence) to 0 (loudest). */
  volume: number;
}

export type RoomEvents = {
  /** The dominant speaker changed (null: the speaker stopped producing audio or left). */
  activespeaker: [peerId: string | null];
  /** Loudest audio producers, every ~300 ms while someone speaks; [] on silence. */
  audiolevels: [levels: AudioLevel[]];
  /** A worker hosting this room died; the room closes right after. */
  workerdied: [];
  close: [];
};

const AUDIO_OBSERVER_INTERVAL_MS = 300;
const DEFAULT_MAX_PRODUCERS_PER_PEER = 4;

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new MediaError("BAD_REQUEST", `${name} must be a positive integer, got ${value}`);
  }
}

/**
 * A meeting's media: a main router (plus more routers on other workers once every router carries
 * maxConsumersPerRouter consumers) and its peers. Producers are piped between routers on demand.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly id: string;
  readonly #pool: WorkerPool;
  readonly #maxConsumersPerRouter: number;
  readonly #listenIp: string;
  readonly #announcedAddress: string | undefined;
  readonly #limits: PeerLimits;
  readonly #routers: RoomRouter[] = [];
  readonly #main: RoomRouter;
  readonly #peers = new Map<string, Peer>();
  readonly #producers = new Map<string, RoomProducer>();
  readonly #audioLevelObserver: types.AudioLevelObserver;
  readonly #activeSpeakerObserver: types.ActiveSpeakerObserver;
  readonly #host: PeerHost;
  /** A router being created for new peers, with how many peers already wait for it. */
  #pending: { promise: Promise<RoomRouter>; peers: number } | null = null;
  #activeSpeaker: string | null = null;
  #closed = false;

  private constructor(options: RoomOptions, main: RoomRouter, audioLevelObserver: types.AudioLevelObserver, activeSpeakerObserver: types.ActiveSpeakerObserver) {
    super();
    this.id = options.id;
    this.#pool = options.pool;
    this.#maxConsumersPerRouter = options.maxConsumersPerRouter ?? 500;
    this.#listenIp = options.listenIp ?? options.pool.listenIp;
    // the pool's announced address belongs to the pool's listen address
    this.#announcedAddress = options.announcedAddress || (options.listenIp === undefined ? options.pool.announcedAddress : undefined);
    this.#limits = { maxProducers: options.maxProducersPerPeer ?? DEFAULT_MAX_PRODUCERS_PER_PEER, maxIncomingBitrate: options.maxIncomingBitrate ?? null };
    this.#main = main;
    this.#audioLevelObserver = audioLevelObserver;
    this.#activeSpeakerObserver = activeSpeakerObserver;
    this.#host = this.#makeHost();
    this.#adopt(main);

    audioLevelObserver.on("volumes", (volumes) => {
      if (this.#closed) return;
      const levels: AudioLevel[] = [];
      for (const { producer, volume } of volumes) {
        const owner = this.#producers.get(producer.id);
        if (owner) levels.push({ peerId: owner.peer.id, volume });
      }
      this.emit("audiolevels", levels);
    });
    audioLevelObserver.on("silence", () => {
      if (!this.#closed) this.emit("audiolevels", []);
    });
    activeSpeakerObserver.on("dominantspeaker", ({ producer }) => {
      const owner = this.#producers.get(producer.id);
      if (!this.#closed && owner) this.#setActiveSpeaker(owner.peer.id);
    });
  }

  static async create(options: RoomOptions): Promise<Room> {
    if (typeof options.id !== "string" || options.id === "") {
      throw new MediaError("BAD_REQUEST", "A room needs a non-empty id");
    }
    positiveInteger("maxConsumersPerRouter", options.maxConsumersPerRouter);
    positiveInteger("maxProducersPerPeer", options.maxProducersPerPeer);
    positiveInteger("maxIncomingBitrate", options.maxIncomingBitrate);
    const mediaWorker = options.pool.pick();
    const router = await mediaWorker.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: options.id } });
    try {
      const [audioLevelObserver, activeSpeakerObserver] = await Promise.all([
        router.createAudioLevelObserver({ maxEntries: 16, threshold: -70, interval: AUDIO_OBSERVER_INTERVAL_MS }),
        router.createActiveSpeakerObserver({ interval: AUDIO_OBSERVER_INTERVAL_MS }),
      ]);
      const main = newRoomRouter(router, mediaWorker);
      const room = new Room(options, main, audioLevelObserver, activeSpeakerObserver);
      if (router.closed) {
        // the worker died while we were setting up
        room.close();
        throw new MediaError("CLOSED", `The worker of room ${options.id} died while the room was created`);
      }
      return room;
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#main.router.rtpCapabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get peers(): ReadonlyMap<string, Peer> {
    return this.#peers;
  }

  /** The room's routers (ready ones), main router first. For tests and metrics. */
  get routers(): readonly types.Router[] {
    return this.#routers.map((r) => r.router);
  }

  addPeer(peerId: string): Peer {
    this.#assertOpen();
    if (typeof peerId !== "string" || peerId === "") throw new MediaError("BAD_REQUEST", "A peer needs a non-empty id");
    if (this.#peers.has(peerId)) throw new MediaError("BAD_REQUEST", `Peer ${peerId} is already in room ${this.id}`);
    const peer = new Peer(peerId, this.#host, this.#place());
    this.#peers.set(peerId, peer);
    return peer;
  }

  getPeer(peerId: string): Peer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new MediaError("NOT_FOUND", `Unknown peer ${peerId} in room ${this.id}`);
    return peer;
  }

  /** Closes everything the peer owns. Unknown peers are ignored (removing twice is fine). */
  removePeer(peerId: string): void {
    this.#peers.get(peerId)?.close();
  }

  /** Consumers held by the room's peers (pipe consumers between routers not counted). */
  consumerCount(): number {
    let count = 0;
    for (const peer of this.#peers.values()) count += peer.consumerCount();
    return count;
  }

  routerCount(): number {
    return this.#routers.length;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    this.#peers.clear();
    this.#producers.clear();
    for (const { router } of this.#routers.splice(0)) router.close();
    this.#pending?.promise.then(
      ({ router }) => router.close(),
      () => undefined,
    );
    this.emit("close");
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError("CLOSED", `Room ${this.id} is closed`);
  }

  /**
   * Picks the router for a new peer: the first with capacity, else a new one on a worker that hosts none
   * of this room's routers, else (every worker used) the least-loaded router of the room.
   */
  #place(): Promise<RoomRouter> {
    for (const roomRouter of this.#routers) {
      if (!roomRouter.router.closed && roomRouter.consumers < this.#maxConsumersPerRouter) {
        roomRouter.peers++;
        return Promise.resolve(roomRouter);
      }
    }
    if (!this.#pending) {
      // no worker without a router of this room: a second router on the same worker would only add pipes
      const used = new Set(this.#routers.map((r) => r.mediaWorker.pid));
      const freeWorker = this.#pool.workers.some((w) => !used.has(w.pid) && !w.worker.closed);
      if (!freeWorker) {
        const live = this.#routers.filter((r) => !r.router.closed);
        const least = live.reduce<RoomRouter | undefined>((best, r) => (!best || r.consumers < best.consumers ? r : best), undefined);
        if (least) {
          least.peers++;
          return Promise.resolve(least);
        }
      }
      const pending = { promise: this.#createRouter(), peers: 0 };
      this.#pending = pending;
      pending.promise.then(
        (roomRouter) => {
          if (this.#pending === pending) this.#pending = null;
          roomRouter.peers += pending.peers;
          this.#adopt(roomRouter);
          this.#closeIfEmpty(roomRouter);
        },
        () => {
          if (this.#pending === pending) this.#pending = null;
        },
      );
    }
    this.#pending.peers++;
    return this.#pending.promise;
  }

  async #createRouter(): Promise<RoomRouter> {
    const exclude = new Set(this.#routers.map((r) => r.mediaWorker.pid));
    let mediaWorker: MediaWorker;
    try {
      mediaWorker = this.#pool.pick(exclude);
    } catch (error) {
      throw error instanceof MediaError ? error : new MediaError("CLOSED", "No mediasoup worker available");
    }
    const router = await mediaWorker.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: this.id } });
    if (this.#closed) {
      router.close();
      throw new MediaError("CLOSED", `Room ${this.id} is closed`);
    }
    return newRoomRouter(router, mediaWorker);
  }

  /** Starts watching a ready router: its load, and the death of its worker. */
  #adopt(roomRouter: RoomRouter): void {
    if (this.#closed) {
      roomRouter.router.close();
      return;
    }
    this.#routers.push(roomRouter);
    const { router, mediaWorker } = roomRouter;
    router.on("workerclose", () => {
      if (this.#closed) return;
      if (mediaWorker.worker.died) this.emit("workerdied");
      this.close();
    });
    router.observer.once("close", () => {
      const index = this.#routers.indexOf(roomRouter);
      if (index >= 0) this.#routers.splice(index, 1);
      if (roomRouter === this.#main && !this.#closed) this.close();
    });
  }

  /** Secondary routers close once their last peer left (their pipes close with them). */
  #closeIfEmpty(roomRouter: RoomRouter): void {
    if (roomRouter !== this.#main && roomRouter.peers <= 0 && !roomRouter.router.closed) roomRouter.router.close();
  }

  #setActiveSpeaker(peerId: string | null): void {
    if (this.#activeSpeaker === peerId) return;
    this.#activeSpeaker = peerId;
    this.emit("activespeaker", peerId);
  }

  #makeHost(): PeerHost {
    return {
      roomId: this.id,
      limits: this.#limits,
      plainListenInfo: () => ({
        protocol: "udp",
        ip: this.#listenIp,
        portRange: { min: this.#pool.rtcMinPort, max: this.#pool.rtcMaxPort },
        ...(this.#announcedAddress ? { announcedAddress: this.#announcedAddress } : {}),
      }),
      findProducer: (producerId) => (typeof producerId === "string" ? this.#producers.get(producerId) : undefined),
      addProducer: async (peer, producer, source, roomRouter) => {
        const entry: RoomProducer = { peer, producer, source, roomRouter, pipes: new Map() };
        this.#producers.set(producer.id, entry);
        producer.observer.once("close", () => {
          this.#producers.delete(producer.id);
          if (producer.kind === "audio" && this.#activeSpeaker === peer.id && !this.#closed) {
            this.#setActiveSpeaker(null);
          }
        });
        if (producer.kind === "audio") await this.#observeAudio(entry);
      },
      pipe: (entry, target) => this.#pipe(entry, target),
      peerClosed: (peer) => this.#peerClosed(peer),
    };
  }

  async #observeAudio(entry: RoomProducer): Promise<void> {
    const producerId = entry.producer.id;
    try {
      await this.#pipe(entry, this.#main);
      if (this.#closed || entry.producer.closed) return;
      await Promise.all([this.#audioLevelObserver.addProducer({ producerId }), this.#activeSpeakerObserver.addProducer({ producerId })]);
    } catch {
      // the producer or the room closed meanwhile: nothing to observe
    }
  }

  #pipe(entry: RoomProducer, target: RoomRouter): Promise<void> {
    if (entry.roomRouter === target) return Promise.resolve();
    const key = target.router.id;
    let piped = entry.pipes.get(key);
    if (!piped) {
      piped = entry.roomRouter.router.pipeToRouter({ producerId: entry.producer.id, router: target.router }).then(({ pipeProducer }) => {
        if (!pipeProducer || pipeProducer.closed) {
          entry.pipes.delete(key);
          return;
        }
        pipeProducer.observer.once("close", () => entry.pipes.delete(key));
      });
      piped.catch(() => entry.pipes.delete(key));
      entry.pipes.set(key, piped);
    }
    return piped;
  }

  async #peerClosed(peer: Peer): Promise<void> {
    if (this.#peers.get(peer.id) === peer) this.#peers.delete(peer.id);
    if (this.#activeSpeaker === peer.id && !this.#closed) this.#setActiveSpeaker(null);
    let roomRouter: RoomRouter;
    try {
      roomRouter = await peer.router();
    } catch {
      return;
    }
    roomRouter.peers--;
    if (!this.#closed) this.#closeIfEmpty(roomRouter);
  }
}

function newRoomRouter(router: types.Router, mediaWorker: MediaWorker): RoomRouter {
  const roomRouter: RoomRouter = { router, mediaWorker, consumers: 0, peers: 0 };
  router.observer.on("newtransport", (transport) => {
    transport.observer.on("newconsumer", (consumer) => {
      roomRouter.consumers++;
      consumer.observer.once("close", () => roomRouter.consumers--);
    });
  });
  return roomRouter;
}

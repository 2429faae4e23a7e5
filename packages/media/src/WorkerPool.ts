import { EventEmitter } from "node:events";
import os from "node:os";
import * as mediasoup from "mediasoup";
import type { types } from "mediasoup";
import { logger } from "@qualmeet/log";
import { MediaError, errorMessage } from "./errors.ts";

export interface WorkerPoolOptions {
  /** Default: os.cpus().length (at least 1). */
  numWorkers?: number;
  /** Default: 40000. */
  rtcMinPort?: number;
  /** Default: 49999. */
  rtcMaxPort?: number;
  /** Where the rooms' transports listen. Default: 127.0.0.1 (a server passes its MEDIA_LISTEN_IP). */
  listenIp?: string;
  /** Address put in ICE candidates. Default: when listening on every interface, the first external IPv4. */
  announcedAddress?: string;
  /**
   * Every browser transport of worker i goes through that worker's WebRtcServer, listening on UDP and TCP port
   * `webRtcPort + i`: a node needs one UDP and one TCP port per worker open, not a port per transport.
   * Default: each WebRtcServer takes a free port between rtcMinPort and rtcMaxPort (tests, benchmarks).
   */
  webRtcPort?: number;
  /** Default: "warn". */
  logLevel?: "warn" | "error" | "none";
}

/** One mediasoup worker process and its live load (kept up to date from mediasoup's observer events). */
export interface MediaWorker {
  readonly pid: number;
  readonly worker: types.Worker;
  /** where this worker's WebRTC transports listen (one UDP and one TCP port for all of them) */
  readonly webRtcServer: types.WebRtcServer;
  /** the worker's place in the pool: its replacement takes the same place and so the same WebRtcServer port */
  readonly slot: number;
  /** Live consumers on all routers of this worker (pipe consumers included). */
  consumers: number;
  /** Live routers on this worker. */
  routers: number;
}

export interface WorkerLoad {
  pid: number;
  routers: number;
  consumers: number;
  /** User + system CPU time the worker process has used so far, in ms. */
  cpuMs: number;
}

export type WorkerPoolEvents = {
  /** A worker process died; a replacement is being started. */
  workerdied: [pid: number];
};

const RESPAWN_DELAYS_MS = [0, 250, 1000, 2000, 5000];

function firstExternalIPv4(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return undefined;
}

/** The mediasoup worker processes of this node. A worker that dies is replaced automatically. */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly rtcMinPort: number;
  readonly rtcMaxPort: number;
  /** the rooms' network settings: every room of this node listens and announces alike */
  readonly listenIp: string;
  readonly announcedAddress: string | undefined;
  readonly webRtcPort: number | undefined;
  readonly #logLevel: "warn" | "error" | "none";
  readonly #workers: MediaWorker[] = [];
  #closed = false;
  #respawning = 0;

  private constructor(options: Required<Omit<WorkerPoolOptions, "announcedAddress" | "webRtcPort">> & Pick<WorkerPoolOptions, "announcedAddress" | "webRtcPort">) {
    super();
    this.rtcMinPort = options.rtcMinPort;
    this.rtcMaxPort = options.rtcMaxPort;
    this.listenIp = options.listenIp;
    const everyInterface = options.listenIp === "0.0.0.0" || options.listenIp === "::";
    this.announcedAddress = options.announcedAddress || (everyInterface ? firstExternalIPv4() : undefined);
    this.webRtcPort = options.webRtcPort;
    this.#logLevel = options.logLevel;
  }

  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const numWorkers = options.numWorkers ?? Math.max(1, os.cpus().length);
    const { rtcMinPort = 40000, rtcMaxPort = 49999, listenIp = "127.0.0.1", announcedAddress, webRtcPort, logLevel = "warn" } = options;
    if (!Number.isInteger(numWorkers) || numWorkers < 1) {
      throw new MediaError("BAD_REQUEST", `numWorkers must be a positive integer, got ${numWorkers}`);
    }
    if (rtcMinPort > rtcMaxPort) {
      throw new MediaError("BAD_REQUEST", `rtcMinPort (${rtcMinPort}) is above rtcMaxPort (${rtcMaxPort})`);
    }
    if (webRtcPort !== undefined && (!Number.isInteger(webRtcPort) || webRtcPort < 1 || webRtcPort + numWorkers - 1 > 65535)) {
      throw new MediaError("BAD_REQUEST", `webRtcPort must leave a port (1-65535) for each of the ${numWorkers} workers, got ${webRtcPort}`);
    }
    const pool = new WorkerPool({ numWorkers, rtcMinPort, rtcMaxPort, listenIp, announcedAddress, webRtcPort, logLevel });
    try {
      await Promise.all(Array.from({ length: numWorkers }, (_, slot) => pool.#spawn(slot)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live workers (a snapshot). */
  get workers(): readonly MediaWorker[] {
    return [...this.#workers];
  }

  /**
   * The least-loaded live worker (fewest consumers, then fewest routers). Workers whose pid is in
   * `exclude` are skipped unless no other worker is alive.
   */
  pick(exclude?: Set<number>): MediaWorker {
    if (this.#closed) throw new MediaError("CLOSED", "The worker pool is closed");
    const live = this.#workers.filter((w) => !w.worker.closed);
    const candidates = exclude ? live.filter((w) => !exclude.has(w.pid)) : live;
    const from = candidates.length > 0 ? candidates : live;
    let best: MediaWorker | undefined;
    for (const w of from) {
      if (!best || w.consumers < best.consumers || (w.consumers === best.consumers && w.routers < best.routers)) {
        best = w;
      }
    }
    if (!best) throw new MediaError("CLOSED", "No mediasoup worker is alive right now (a replacement is starting)");
    return best;
  }

  async loads(): Promise<WorkerLoad[]> {
    const workers = this.#workers.filter((w) => !w.worker.closed);
    return Promise.all(
      workers.map(async (w) => {
        let cpuMs = 0;
        try {
          const usage = await w.worker.getResourceUsage();
          cpuMs = usage.ru_utime + usage.ru_stime;
        } catch {
          // the worker died while we asked: report what we know
        }
        return { pid: w.pid, routers: w.routers, consumers: w.consumers, cpuMs };
      }),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.worker.subprocessClosed) return resolve();
            const timer = setTimeout(resolve, 3000);
            w.worker.once("subprocessclose", () => {
              clearTimeout(timer);
              resolve();
            });
            w.worker.close();
          }),
      ),
    );
  }

  async #spawn(slot: number): Promise<MediaWorker> {
    const worker = await mediasoup.createWorker({
      logLevel: this.#logLevel,
      rtcMinPort: this.rtcMinPort,
      rtcMaxPort: this.rtcMaxPort,
    });
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({ listenInfos: this.#webRtcListenInfos(slot) });
    } catch (error) {
      worker.close();
      const where = this.webRtcPort === undefined ? `a port between ${this.rtcMinPort} and ${this.rtcMaxPort}` : `port ${this.webRtcPort + slot}`;
      throw new MediaError("CLOSED", `Media worker ${slot} could not listen on ${where} (UDP and TCP, ${this.listenIp}): ${errorMessage(error)}`, { cause: error });
    }
    if (this.#closed) {
      worker.close();
      throw new MediaError("CLOSED", "The worker pool was closed while a worker was starting");
    }
    const entry: MediaWorker = { pid: worker.pid, worker, webRtcServer, slot, consumers: 0, routers: 0 };
    trackLoad(worker, entry);
    worker.on("died", () => this.#onDied(entry));
    this.#workers.push(entry);
    return entry;
  }

  #webRtcListenInfos(slot: number): types.TransportListenInfo[] {
    const where = this.webRtcPort === undefined ? { portRange: { min: this.rtcMinPort, max: this.rtcMaxPort } } : { port: this.webRtcPort + slot };
    const base = { ip: this.listenIp, ...where, ...(this.announcedAddress ? { announcedAddress: this.announcedAddress } : {}) };
    return [
      { protocol: "udp", ...base },
      { protocol: "tcp", ...base },
    ];
  }

  #onDied(entry: MediaWorker): void {
    const index = this.#workers.indexOf(entry);
    if (index >= 0) this.#workers.splice(index, 1);
    if (this.#closed) return;
    logger.error(
      { workerPid: entry.pid, routers: entry.routers, consumers: entry.consumers },
      "media: a mediasoup worker died: its rooms move to another worker, a replacement is starting",
    );
    this.emit("workerdied", entry.pid);
    void this.#respawn(entry.slot);
  }

  async #respawn(slot: number): Promise<void> {
    this.#respawning++;
    try {
      for (let attempt = 0; !this.#closed; attempt++) {
        const delay = RESPAWN_DELAYS_MS[Math.min(attempt, RESPAWN_DELAYS_MS.length - 1)] ?? 5000;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
        if (this.#closed) return;
        try {
          await this.#spawn(slot);
          return;
        } catch (err) {
          if (this.#closed) return;
          logger.error({ err, attempt }, "media: could not start a replacement mediasoup worker: the node runs with one worker less until a retry succeeds");
        }
      }
    } finally {
      this.#respawning--;
    }
  }

  /** Resolves once the pool is back to full strength (for tests and health checks). */
  async whenReplenished(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#respawning > 0) {
      if (Date.now() > deadline) throw new MediaError("CLOSED", "Timed out waiting for a replacement worker");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Keeps entry.routers / entry.consumers current from mediasoup's observer events. */
function trackLoad(worker: types.Worker, entry: MediaWorker): void {
  worker.observer.on("newrouter", (router) => {
    entry.routers++;
    router.observer.once("close", () => entry.routers--);
    router.observer.on("newtransport", (transport) => {
      transport.observer.on("newconsumer", (consumer) => {
        entry.consumers++;
        consumer.observer.once("close", () => entry.consumers--);
      });
    });
  });
}

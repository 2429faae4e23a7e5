// What we receive from the SFU: one consumer per remote producer, resumed only while its video is on screen, at
// the simulcast layer its tile needs; a consume lost on the way is retried; inbound stats per peer.
// Joining and switching to the SFU are latency-critical: producers are consumed in parallel (their server calls
// at once, mediasoup-client batching the SDP), beside the session's queue once the receive transport exists, and
// a consumer's resume and layer choice go out together, so no consumer waits for another's round trips.
import { parseScalabilityMode } from "mediasoup-client";
import type { Consumer } from "mediasoup-client/types";
import type { MediaSource, ProducerInfo } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";
import type { PeerStats, VideoSource, VideoStats } from "./engine";
import { CALL_TIMEOUT_MS, sleep, withTimeout } from "./mediaCalls";
import type { MediaSession } from "./mediaSession";
import { debugMedia } from "./mediaTrace";
import type { SfuTransports } from "./sfuTransports";
import { layerForHeight } from "./simulcast";

/** A failed consume or consumer update is tried again this many times (backing off from 0.5 s). */
const CONSUME_RETRIES = 4;

interface ConsumerEntry {
  consumer: Consumer;
  peerId: string;
  source: MediaSource;
  kind: "audio" | "video";
  /** whether the server-side consumer is paused (consumers start paused) */
  serverPaused: boolean;
  /** last preferred layers sent */
  layers: { spatial: number; temporal: number } | null;
  spatialLayers: number;
  syncing: boolean;
  resync: boolean;
  /** failed updates in a row (retried a few times: a call can be lost while the socket moves) */
  failures: number;
}

/** How the page shows a remote video: on screen or not, and at what size. */
interface Wanted {
  visible: boolean;
  width: number;
  height: number;
}

const key = (peerId: string, source: MediaSource) => `${peerId}:${source}`;

/** Whether the room still announces this producer of this peer (the store follows producer.new/closed, peer.left). */
const published = (peerId: string, producerId: string) => !!useMeetingStore.getState().participants[peerId]?.producers.some((p) => p.producerId === producerId);

export class SfuConsumers {
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** producers consumed (or being consumed) with the current transports */
  private readonly consumed = new Set<string>();
  private readonly wanted = new Map<string, Wanted>();
  /** producers announced (producer.new) and not yet consumed: the next queued batch takes them all */
  private readonly announced = new Map<string, { peerId: string; producer: ProducerInfo }>();

  constructor(
    private readonly session: MediaSession,
    private readonly transports: SfuTransports,
  ) {}

  /**
   * A producer appeared: consumed at once when the receive transport exists (not behind our own publishing,
   * which a switch to the SFU does meanwhile); before that, by the build in progress as soon as its transports
   * exist (`takeAnnounced`), or else in the session's order, in one batch with every producer announced meanwhile.
   */
  announce(peerId: string, producer: ProducerInfo): void {
    if (this.transports.recv && !this.transports.recv.closed) {
      void this.consume(peerId, producer);
      return;
    }
    const first = this.announced.size === 0;
    this.announced.set(producer.producerId, { peerId, producer });
    if (first) void this.session.enqueue(() => this.consumeAnnounced());
  }

  /** Consumes these producers at once (their server calls in parallel); resolves once each consumer exists. */
  async consumeAll(producers: Array<{ peerId: string; producer: ProducerInfo }>): Promise<void> {
    await Promise.all(producers.map(({ peerId, producer }) => this.consume(peerId, producer)));
  }

  /** The producers announced before the receive transport existed (a build consumes them with its own list). */
  takeAnnounced(): Array<{ peerId: string; producer: ProducerInfo }> {
    const batch = [...this.announced.values()];
    this.announced.clear();
    return batch;
  }

  private consumeAnnounced(): Promise<void> {
    return this.consumeAll(this.takeAnnounced());
  }

  async consume(peerId: string, producer: ProducerInfo, attempt = 0): Promise<void> {
    const transport = this.transports.recv;
    const device = this.transports.device;
    const { session } = this;
    if (!transport || !device || peerId === session.ids?.peerId || this.consumed.has(producer.producerId)) return;
    const epoch = this.transports.epoch;
    this.consumed.add(producer.producerId);
    try {
      const res = await withTimeout(
        session.client.media.consume.mutate({ ...session.peer, transportId: transport.id, producerId: producer.producerId, rtpCapabilities: device.recvRtpCapabilities }),
        CALL_TIMEOUT_MS,
        "consume timed out",
      );
      if (epoch !== this.transports.epoch || transport.closed) return;
      const consumer = await transport.consume({
        id: res.consumerId,
        producerId: res.producerId,
        kind: res.kind,
        rtpParameters: res.rtpParameters,
        streamId: `${res.producerPeerId}-${res.source}`,
        appData: { peerId: res.producerPeerId, source: res.source },
      });
      // consuming runs beside the session's queue: a producer closed (or a peer gone) meanwhile is not shown
      if (epoch !== this.transports.epoch || transport.closed || !published(peerId, producer.producerId)) {
        consumer.close();
        return;
      }
      const mode = parseScalabilityMode(res.rtpParameters.encodings?.[0]?.scalabilityMode);
      const entry: ConsumerEntry = {
        consumer,
        peerId: res.producerPeerId,
        source: res.source,
        kind: res.kind,
        serverPaused: true,
        layers: null,
        spatialLayers: mode.spatialLayers,
        syncing: false,
        resync: false,
        failures: 0,
      };
      this.consumers.set(consumer.id, entry);
      session.trace.mark(`consumed ${res.source} of ${res.producerPeerId.slice(0, 8)}`);
      consumer.on("transportclose", () => this.drop(consumer.id));
      useMeetingStore.getState().addTrack({
        consumerId: consumer.id,
        producerId: res.producerId,
        peerId: res.producerPeerId,
        source: res.source,
        kind: res.kind,
        track: consumer.track,
        via: "sfu",
      });
      // not awaited: the next consumer need not wait for this one's resume
      void this.sync(entry);
      void this.watchFlowing(entry);
    } catch (error) {
      this.consumed.delete(producer.producerId);
      console.warn("[media] consume failed", producer.producerId, error);
      // The call may have been lost with its socket (a draining node closes it): try again while the producer
      // is still announced. One that closed meanwhile has nothing to show.
      if (attempt < CONSUME_RETRIES) {
        setTimeout(
          () => {
            if (published(peerId, producer.producerId) && epoch === this.transports.epoch && !session.closed)
              void session.enqueue(() => this.consume(peerId, producer, attempt + 1));
          },
          500 * 2 ** attempt,
        );
      }
    }
  }

  /** Drops the consumers that match (a producer closed, a consumer closed by the server, a peer left). */
  dropWhere(match: (entry: { consumerId: string; producerId: string; peerId: string }) => boolean): void {
    for (const [id, entry] of this.consumers) {
      if (match({ consumerId: id, producerId: entry.consumer.producerId, peerId: entry.peerId })) this.drop(id);
    }
  }

  /** The layers the SFU forwards now (consumer.layers events), for the stats. */
  setCurrentLayers(consumerId: string, spatial: number | null, temporal: number | null): void {
    const entry = this.consumers.get(consumerId);
    if (entry) entry.consumer.appData.currentLayers = { spatial, temporal };
  }

  /** The transport closed (and with it every consumer): forget them. */
  forget(): void {
    this.consumers.clear();
    this.consumed.clear();
  }

  setVideoVisible(peerId: string, source: VideoSource, visible: boolean): void {
    const k = key(peerId, source);
    const current = this.wanted.get(k) ?? { visible: false, width: 0, height: 0 };
    if (current.visible === visible) return;
    this.wanted.set(k, { ...current, visible });
    this.syncVideo(peerId, source);
  }

  setVideoSize(peerId: string, source: VideoSource, width: number, height: number): void {
    const k = key(peerId, source);
    const current = this.wanted.get(k) ?? { visible: false, width: 0, height: 0 };
    this.wanted.set(k, { ...current, width, height });
    this.syncVideo(peerId, source);
  }

  /** Inbound stats per remote peer over the SFU. */
  async stats(): Promise<Record<string, PeerStats>> {
    const out: Record<string, PeerStats> = {};
    for (const entry of this.consumers.values()) {
      if (entry.consumer.closed) continue;
      const report = await entry.consumer.getStats().catch(() => null);
      // a consumer that never received anything (paused from the start) has no inbound-rtp entry yet
      let inbound: Record<string, unknown> = {};
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp") inbound = s;
      });
      const n = (k: string) => (typeof inbound[k] === "number" ? (inbound[k] as number) : 0);
      const peer = (out[entry.peerId] ??= {});
      if (entry.kind === "audio") {
        peer.audio = { packetsReceived: n("packetsReceived"), packetsLost: n("packetsLost"), bytesReceived: n("bytesReceived") };
        continue;
      }
      const video: VideoStats = {
        framesDecoded: n("framesDecoded"),
        frameWidth: n("frameWidth"),
        frameHeight: n("frameHeight"),
        packetsReceived: n("packetsReceived"),
        packetsLost: n("packetsLost"),
        paused: entry.serverPaused,
        spatialLayers: entry.spatialLayers,
        preferredLayers: entry.layers,
        currentLayers: (entry.consumer.appData.currentLayers as VideoStats["currentLayers"]) ?? null,
      };
      if (entry.source === "screen") peer.screen = video;
      else peer.camera = video;
    }
    return out;
  }

  private drop(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.consumed.delete(entry.consumer.producerId);
    if (!entry.consumer.closed) entry.consumer.close();
    useMeetingStore.getState().removeTrack(consumerId);
  }

  /** Marks a consumer's track flowing once a frame is decoded (video) or packets arrive (audio). */
  private async watchFlowing(entry: ConsumerEntry): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!entry.consumer.closed && !this.session.closed && Date.now() < deadline) {
      const report = await entry.consumer.getStats().catch(() => null);
      let ok = false;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === "inbound-rtp" && Number(entry.kind === "video" ? s.framesDecoded : s.packetsReceived) > 0) ok = true;
      });
      if (ok) {
        useMeetingStore.getState().setTrackFlowing(entry.consumer.id);
        return;
      }
      await sleep(100);
    }
  }

  /** Brings the server-side consumer in line with what the page shows: paused when off screen, layers by size. */
  private async sync(entry: ConsumerEntry): Promise<void> {
    if (entry.syncing) {
      entry.resync = true;
      return;
    }
    entry.syncing = true;
    const { client, trace } = this.session;
    try {
      do {
        entry.resync = false;
        if (entry.consumer.closed || this.session.closed) return;
        const wanted = this.wanted.get(key(entry.peerId, entry.source));
        const show = entry.kind === "audio" || !!wanted?.visible;
        const base = { ...this.session.peer, consumerId: entry.consumer.id };
        // sent together on the one socket, in this order: the server applies the layers before the resume
        // without us waiting a round trip in between (the resume asks the sender for a key frame)
        const calls: Array<Promise<void>> = [];
        if (show && entry.kind === "video" && entry.spatialLayers > 1) {
          const layers = layerForHeight(wanted?.height ?? 0, entry.spatialLayers);
          if (!entry.layers || entry.layers.spatial !== layers.spatial || entry.layers.temporal !== layers.temporal) {
            calls.push(
              client.media.setPreferredLayers.mutate({ ...base, spatialLayer: layers.spatial, temporalLayer: layers.temporal }).then(() => {
                entry.layers = layers;
              }),
            );
          }
        }
        if (show && entry.serverPaused) {
          calls.push(
            client.media.resumeConsumer.mutate(base).then(() => {
              entry.serverPaused = false;
              trace.mark(`resumed ${entry.source} of ${entry.peerId.slice(0, 8)}`);
              if (entry.kind === "video" && debugMedia()) void trace.firstFrame(entry.consumer, `${entry.source} of ${entry.peerId.slice(0, 8)}`);
            }),
          );
        } else if (!show && !entry.serverPaused) {
          calls.push(
            client.media.pauseConsumer.mutate(base).then(() => {
              entry.serverPaused = true;
            }),
          );
        }
        await Promise.all(calls);
      } while (entry.resync);
      entry.failures = 0;
    } catch (error) {
      console.warn("[media] consumer update failed", error);
      if (++entry.failures <= CONSUME_RETRIES) setTimeout(() => void this.sync(entry), 500 * 2 ** entry.failures);
    } finally {
      entry.syncing = false;
    }
  }

  private syncVideo(peerId: string, source: VideoSource): void {
    for (const entry of this.consumers.values()) {
      if (entry.peerId === peerId && entry.source === source) void this.sync(entry);
    }
  }
}

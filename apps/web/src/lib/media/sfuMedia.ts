// The SFU path as a whole: build it (both transports, publish the local tracks, consume what the others
// publish), close it, and rebuild it on a new media worker when the server reports the old one lost.
import type { MediaSource, PeerInfo } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";
import { errorMessage } from "@qualmeet/client";
import { CALL_TIMEOUT_MS, sleep, withTimeout } from "./mediaCalls";
import type { MediaSession } from "./mediaSession";
import { SfuConsumers } from "./sfuConsumers";
import { SfuPublisher } from "./sfuPublisher";
import { SfuTransports } from "./sfuTransports";

/** Rebuild attempts after the media server was lost before the page is told it failed. */
const REBUILD_ATTEMPTS = 8;

export class SfuMedia {
  readonly transports: SfuTransports;
  readonly publisher: SfuPublisher;
  readonly consumers: SfuConsumers;

  /**
   * `meshCarries`: the P2P mesh carries the media meanwhile (a switch to the SFU), so building does not show
   * "Connecting"; `onTrackEnded`: the browser ended a published track.
   */
  constructor(
    private readonly session: MediaSession,
    private readonly meshCarries: () => boolean,
    onTrackEnded: (source: MediaSource) => void,
  ) {
    this.transports = new SfuTransports(session, () => void session.enqueue(() => this.recover()));
    this.publisher = new SfuPublisher(session, this.transports, onTrackEnded);
    this.consumers = new SfuConsumers(session, this.transports);
  }

  /**
   * Creates both transports, then publishes the local tracks and consumes everything the peers publish at the
   * same time (the send and the receive transport negotiate independently).
   */
  async build(peers: Array<Pick<PeerInfo, "peerId" | "producers">>): Promise<void> {
    const { session } = this;
    // while the mesh carries the media (a switch to the SFU) the room stays "Connected"
    if (!this.meshCarries()) {
      session.ready = false;
      session.onHealthChange();
    }
    const epoch = await this.transports.create();
    session.trace.mark("transports");
    if (epoch !== this.transports.epoch) return;
    const others = peers.filter((peer) => peer.peerId !== session.ids?.peerId);
    // with what the join or switch listed, the producers announced while the transports were being created (the
    // newcomer whose join moved the meeting to the SFU): consumed now, not after our own publishing
    const producers = [...others.flatMap((peer) => peer.producers.map((producer) => ({ peerId: peer.peerId, producer }))), ...this.consumers.takeAnnounced()];
    await Promise.all([this.publish(), this.consumers.consumeAll(producers)]);
    session.trace.mark("produced and consumed");
    if (epoch !== this.transports.epoch) return;
    session.ready = true;
    session.onHealthChange();
  }

  /**
   * Publishes the local tracks, the camera first: people notice the video first, and mediasoup-client
   * negotiates one producer at a time (each waits for the one before and its server round trip).
   */
  private async publish(): Promise<void> {
    const { mic, camera, screen } = this.session.local;
    if (camera) await this.publisher.produce("camera", camera);
    if (mic) await this.publisher.produce("mic", mic);
    if (screen) await this.publisher.produce("screen", screen);
  }

  /** Closes the transports (and with them every producer and consumer); local tracks stay alive. */
  close(): void {
    this.session.ready = false;
    this.transports.close();
    this.publisher.forget();
    this.consumers.forget();
    // the SFU's tracks only: direct (P2P) ones stay on screen
    const store = useMeetingStore.getState();
    for (const t of Object.values(store.tracks)) if ((t.via ?? "sfu") === "sfu") store.removeTrack(t.consumerId);
  }

  /** The media worker hosting the room died (or a transport could not be revived): rebuild everything on a new one. */
  async recover(): Promise<void> {
    const { session } = this;
    session.trace.start("media.lost");
    session.recovering = true;
    this.close();
    session.onHealthChange();
    try {
      // a call lost on the way (the socket moving off a draining node) starts the rebuild over
      for (let attempt = 0; ; attempt++) {
        if (session.closed) return;
        try {
          // the router keeps the same codecs: the device stays loaded as it is
          const { peers } = await withTimeout(session.client.room.reconnectMedia.mutate(session.peer), CALL_TIMEOUT_MS, "reconnectMedia timed out");
          session.trace.mark("reconnectMedia");
          useMeetingStore.getState().setPeers(peers);
          await this.build(peers);
          session.trace.mark("rebuilt");
          break;
        } catch (error) {
          if (attempt >= REBUILD_ATTEMPTS || session.closed) throw error;
          session.trace.mark(`rebuild failed: ${errorMessage(error)}`);
          console.warn("[media] media rebuild failed, starting over", error);
          this.close();
          // what the failed attempt created on the server goes too (the others would consume dead producers)
          await withTimeout(session.client.media.closeTransports.mutate(session.peer), CALL_TIMEOUT_MS, "closeTransports timed out").catch(() => undefined);
          await sleep(Math.min(250 * 2 ** attempt, 3000));
        }
      }
    } catch (error) {
      useMeetingStore.getState().notify(`Could not reconnect audio and video: ${errorMessage(error)}`, "error");
    } finally {
      session.recovering = false;
      session.onHealthChange();
    }
  }
}

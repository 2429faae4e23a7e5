// The two WebRTC transports to the meeting's mediasoup router (send and receive) and the mediasoup-client
// Device: creating them, answering their connect/produce events over signaling, and ICE restarts when one drops.
import type { Device, RtpCapabilities, RtpCodecCapability, Transport } from "mediasoup-client/types";
import type { MediaSource } from "@qualmeet/api";
import { CALL_TIMEOUT_MS, sleep, withTimeout } from "./mediaCalls";
import { loadDevice } from "./sfuDevice";
import type { MediaSession } from "./mediaSession";
import { reportMedia } from "./mediaReports";

/** ICE restarts tried before the whole SFU media is rebuilt. */
const ICE_RESTARTS = 5;

export class SfuTransports {
  device: Device | null = null;
  /** the device being loaded (with the router's capabilities): creating the transports waits for it */
  private deviceLoading: Promise<void> | null = null;
  send: Transport | null = null;
  recv: Transport | null = null;
  /** bumps whenever the transports are rebuilt or closed: work for older transports is dropped */
  epoch = 0;
  /** transports whose connection dropped (the room shows "Reconnecting") */
  readonly troubled = new Set<string>();
  private readonly iceRestarting = new Set<string>();

  /** `onFailed`: ICE restarts did not bring a transport back. */
  constructor(
    private readonly session: MediaSession,
    private readonly onFailed: () => void,
  ) {}

  get open(): boolean {
    return !!(this.send || this.recv);
  }

  /** Loads the device; `create` overlaps its server round trips with it (the join answer carries `caps`). */
  loadDevice(caps: RtpCapabilities): Promise<void> {
    const loading = (async () => {
      this.device = await loadDevice(caps);
      this.session.trace.mark("device loaded");
    })();
    this.deviceLoading = loading;
    // not unhandled while the transports' round trips run: creating them awaits it and reports its failure
    loading.catch(() => undefined);
    return loading;
  }

  /** No media server (a P2P-only meeting): no device. */
  unloadDevice(): void {
    this.device = null;
    this.deviceLoading = null;
  }

  vp8(): RtpCodecCapability | undefined {
    return this.device?.sendRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === "video/vp8");
  }

  /** Creates both transports; returns the epoch they belong to. */
  async create(): Promise<number> {
    const epoch = ++this.epoch;
    [this.send, this.recv] = await Promise.all([this.createOne("send"), this.createOne("recv")]);
    return epoch;
  }

  /** Closes both transports (and with them every producer and consumer). */
  close(): void {
    this.epoch++;
    this.send?.close();
    this.recv?.close();
    this.send = null;
    this.recv = null;
    this.troubled.clear();
  }

  async updateIceServers(iceServers: RTCIceServer[]): Promise<void> {
    for (const transport of [this.send, this.recv]) {
      // a transport that refuses keeps its old credentials: it may fail to reconnect through TURN once they expire
      if (transport && !transport.closed)
        await transport.updateIceServers({ iceServers }).catch((error: unknown) => console.warn(`[media] updateIceServers failed on the ${transport.direction} transport`, error));
    }
  }

  private async createOne(direction: "send" | "recv"): Promise<Transport> {
    const { client } = this.session;
    const ids = this.session.peer;
    const info = await withTimeout(client.media.createTransport.mutate({ ...ids, direction }), CALL_TIMEOUT_MS, "createTransport timed out");
    // the server's round trip ran while the device loaded
    await this.deviceLoading;
    const options = { ...info, iceServers: this.session.iceServers, iceTransportPolicy: this.session.iceTransportPolicy };
    const transport = direction === "send" ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options);
    transport.on("connect", ({ dtlsParameters }, callback, errback) => {
      client.media.connectTransport.mutate({ ...ids, transportId: transport.id, dtlsParameters }).then(
        () => callback(),
        (error: unknown) => errback(error instanceof Error ? error : new Error(String(error))),
      );
    });
    if (direction === "send") {
      transport.on("produce", ({ kind, rtpParameters, appData }, callback, errback) => {
        client.media.produce.mutate({ ...ids, transportId: transport.id, kind, rtpParameters, source: appData.source as MediaSource }).then(
          ({ producerId }) => callback({ id: producerId }),
          (error: unknown) => errback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    }
    transport.on("connectionstatechange", (state) => this.onState(transport, state));
    return transport;
  }

  private onState(transport: Transport, state: RTCPeerConnectionState): void {
    if (transport.closed || this.session.closed) return;
    this.session.trace.mark(`${transport.direction} ${state}`);
    if (state === "disconnected" || state === "failed") {
      this.troubled.add(transport.id);
      void this.restartIce(transport);
    } else if (state === "connected" || state === "closed") {
      this.troubled.delete(transport.id);
    }
    this.session.onHealthChange();
  }

  private async restartIce(transport: Transport): Promise<void> {
    if (this.iceRestarting.has(transport.id)) return;
    this.iceRestarting.add(transport.id);
    try {
      for (let attempt = 0; attempt < ICE_RESTARTS && !transport.closed && this.troubled.has(transport.id); attempt++) {
        try {
          // reconnecting through TURN needs credentials that have not expired
          await this.session.freshIceServers();
          const { iceParameters } = await withTimeout(
            this.session.client.media.restartIce.mutate({ ...this.session.peer, transportId: transport.id }),
            CALL_TIMEOUT_MS,
            "restartIce timed out",
          );
          if (transport.closed) return;
          await transport.restartIce({ iceParameters });
          reportMedia({ kind: "ice", mode: "SFU", event: "restarted" });
          // give ICE time to reconnect before trying again
          await sleep(3000);
        } catch {
          // the transport may be gone (media.lost rebuilds everything): back off
          await sleep(1000 * (attempt + 1));
        }
      }
    } finally {
      this.iceRestarting.delete(transport.id);
    }
    // ICE restarts did not bring it back: rebuild all SFU media (no page reload)
    if (!transport.closed && !this.session.closed && transport.connectionState === "failed") {
      reportMedia({ kind: "ice", mode: "SFU", event: "failed" });
      this.onFailed();
    }
  }
}

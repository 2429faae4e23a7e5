// A bot in a meeting, run from Node without a browser: it joins through the realtime API (bot.*) as its user's bot,
// plays a file into the meeting through the system's ffmpeg (plain RTP to the media server), and receives everyone
// else's RTP on a UDP socket, to count, hand to a recorder or transcribe. Everyone in the meeting sees it as a bot.
//
//   const bot = new MeetingBot(realtimeClient, { name: "Recorder" });
//   await bot.join("abcd2345");
//   const playback = await bot.playFile("greeting.ogg");
//   const received = await bot.receive();
//   ...
//   await bot.close();
import { EventEmitter } from "node:events";
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TRPCClient } from "@trpc/client";
import type { MeetingEvent, RealtimeRouter, RealtimeRouterOutputs } from "@qualmeet/api";
import { BOT_CODECS, ffmpegPath, runFfmpeg, sendArgs, type BotMediaKind, type FfmpegRun } from "./ffmpeg.ts";
import { bindUdp, RtpRecorder, RtpRelay } from "./rtpSockets.ts";
import { sdpFor } from "./sdp.ts";

export type BotRealtimeClient = TRPCClient<RealtimeRouter>;
export type BotJoinResult = RealtimeRouterOutputs["bot"]["join"];
type Consumed = RealtimeRouterOutputs["bot"]["consume"];

export interface MeetingBotOptions {
  /** what the participant list shows (with a "Bot" badge); default "Bot" */
  name?: string;
  /** the ffmpeg to run; default FFMPEG_PATH or `ffmpeg` on the PATH */
  ffmpeg?: string;
}

export interface PlayOptions {
  /** which of the file's streams to send; default ["audio"] */
  kinds?: BotMediaKind[];
  /** start again at the end, until stopped */
  loop?: boolean;
}

/** A file being played into the meeting. */
export interface Playback {
  producers: Array<{ kind: BotMediaKind; producerId: string }>;
  /** RTP packets sent to the server so far, and per second since the first */
  packetsSent(): number;
  packetsPerSecond(): number;
  /** settles when ffmpeg ends (the file played out, or stop()); rejects with ffmpeg's error */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** A participant's stream the bot receives. */
export interface ReceivedStream {
  consumerId: string;
  producerId: string;
  producerPeerId: string;
  kind: "audio" | "video";
  source: Consumed["source"];
  /** the SSRC its RTP arrives with (RtpRecorder.stats() counts by it) */
  ssrc: number;
  rtpParameters: Consumed["rtpParameters"];
}

type BotEvents = {
  /** a participant's stream now arrives on the receiving socket */
  stream: [stream: ReceivedStream];
  /** the bot is out of the meeting: removed by the host, the meeting ended, or close() */
  ended: [reason: string];
  /** something in the background failed (a stream could not be received, the event stream broke) */
  error: [error: Error];
};

export class MeetingBot extends EventEmitter<BotEvents> {
  #joined: BotJoinResult | null = null;
  #events: { unsubscribe(): void } | null = null;
  #recorder: RtpRecorder | null = null;
  #recvTransportId: string | null = null;
  readonly #streams = new Map<string, ReceivedStream>();
  /** the others' producers now, from the join and the events since: what receive() consumes */
  readonly #remoteProducers = new Set<string>();
  readonly #playbacks = new Set<Playback>();
  readonly #recordings = new Set<FfmpegRun>();
  #closed = false;

  constructor(
    private readonly client: BotRealtimeClient,
    private readonly options: MeetingBotOptions = {},
  ) {
    super();
  }

  /** The meeting and the bot's participant, once joined. */
  get joined(): BotJoinResult {
    if (!this.#joined) throw new Error("The bot has not joined a meeting: call join(meetingCode) first.");
    return this.#joined;
  }

  private get ids() {
    return { meetingId: this.joined.meeting.id, peerId: this.joined.self.peerId };
  }

  /** Joins the meeting with this code as a bot (the meeting switches to its media server if it ran peer to peer). */
  async join(meetingCode: string): Promise<BotJoinResult> {
    if (this.#joined) throw new Error("This bot is already in a meeting: make another MeetingBot for another one.");
    const joined = await this.client.bot.join.mutate({ code: meetingCode, name: this.options.name ?? "Bot" });
    this.#joined = joined;
    for (const peer of joined.peers) for (const producer of peer.producers) this.#remoteProducers.add(producer.producerId);
    this.#events = this.client.room.events.subscribe(
      { meetingId: joined.meeting.id, peerId: joined.self.peerId, lastEventId: joined.lastEventId },
      {
        onData: ({ data }) => this.#onEvent(data),
        onError: (error) => {
          if (!this.#closed) this.emit("error", error instanceof Error ? error : new Error(String(error)));
        },
      },
    );
    return joined;
  }

  #onEvent(event: MeetingEvent): void {
    if (event.type === "producer.new" && event.peerId !== this.ids.peerId) {
      this.#remoteProducers.add(event.producer.producerId);
      if (this.#recvTransportId) this.#consume(event.producer.producerId).catch((error: unknown) => this.emit("error", error as Error));
    } else if (event.type === "producer.closed") {
      this.#remoteProducers.delete(event.producerId);
      for (const [consumerId, stream] of this.#streams) if (stream.producerId === event.producerId) this.#streams.delete(consumerId);
    } else if (event.type === "media.lost") {
      // the meeting's media moved to another server: the plain transports (and what played on them) are gone; the
      // others' new producers arrive as producer.new
      this.#streams.clear();
      this.#remoteProducers.clear();
      this.#recvTransportId = null;
      this.emit("error", new Error(`${event.message} The bot's media stopped: call playFile() and receive() again.`));
    } else if (event.type === "removed" || event.type === "meeting.ended") {
      const reason = event.type === "removed" ? event.message : "The meeting ended.";
      void this.#shutDown(reason);
    }
  }

  /**
   * Plays `path` (anything ffmpeg reads; or `ffmpegInput`, ffmpeg's own input arguments, e.g. toneInput(10)) into
   * the meeting in real time: its audio as the bot's microphone, its video (kinds: ["video"]) as its camera.
   */
  async playFile(path: string | { ffmpegInput: string[] }, options: PlayOptions = {}): Promise<Playback> {
    const ffmpeg = this.options.ffmpeg ?? ffmpegPath();
    const kinds = options.kinds ?? ["audio"];
    const transport = await this.client.bot.createSendTransport.mutate(this.ids);
    const streams = kinds.map((kind) => ({ kind, ssrc: randomInt(1, 2 ** 31) }));
    const producers = [];
    for (const { kind, ssrc } of streams) {
      const { encoder: _encoder, ...codec } = BOT_CODECS[kind];
      const { producerId } = await this.client.bot.produce.mutate({
        ...this.ids,
        transportId: transport.id,
        kind,
        rtpParameters: { codecs: [codec], encodings: [{ ssrc }] },
        source: kind === "audio" ? "mic" : "camera",
      });
      producers.push({ kind, producerId });
    }
    const relay = await RtpRelay.open({ ip: transport.ip, port: transport.port });
    const input = typeof path === "string" ? ["-i", path] : path.ffmpegInput;
    const run = runFfmpeg(sendArgs({ input, target: { ip: "127.0.0.1", port: relay.port }, streams, loop: options.loop }), ffmpeg);
    const playback: Playback = {
      producers,
      packetsSent: () => relay.packets,
      packetsPerSecond: () => relay.packetsPerSecond(),
      done: run.exited.finally(() => {
        relay.close();
        this.#playbacks.delete(playback);
      }),
      stop: async () => {
        run.stop();
        await playback.done.catch(() => undefined);
      },
    };
    this.#playbacks.add(playback);
    return playback;
  }

  /**
   * Receives every other participant's audio and video, now and as they start it, on a UDP socket of this machine:
   * the recorder counts it per stream and can hand a stream on (record()). Again after a media.lost error.
   */
  async receive(): Promise<RtpRecorder> {
    if (this.#recorder && this.#recvTransportId) return this.#recorder;
    const recorder = this.#recorder ?? new RtpRecorder(await bindUdp());
    this.#recorder = recorder;
    const transport = await this.client.bot.createRecvTransport.mutate({ ...this.ids, port: recorder.socket.address().port });
    this.#recvTransportId = transport.id;
    // what the others start from now on arrives as producer.new events (consumed as they come)
    for (const producerId of [...this.#remoteProducers]) await this.#consume(producerId);
    return recorder;
  }

  async #consume(producerId: string): Promise<void> {
    const rtpCapabilities = this.joined.routerRtpCapabilities;
    if (!rtpCapabilities || !this.#recvTransportId) return;
    const consumed = await this.client.bot.consume.mutate({ ...this.ids, transportId: this.#recvTransportId, producerId, rtpCapabilities });
    const ssrc = consumed.rtpParameters.encodings?.[0]?.ssrc;
    if (ssrc === undefined) throw new Error(`The server gave the consumer of ${producerId} no SSRC.`);
    await this.client.bot.resumeConsumer.mutate({ ...this.ids, consumerId: consumed.consumerId });
    const stream: ReceivedStream = { ...consumed, ssrc };
    this.#streams.set(consumed.consumerId, stream);
    this.emit("stream", stream);
  }

  /** The streams the bot receives now. */
  streams(): ReceivedStream[] {
    return [...this.#streams.values()];
  }

  /** An SDP for a program that reads one received stream from `port` on this machine (see record()). */
  sdpFor(consumerId: string, port: number): string {
    const stream = this.#streams.get(consumerId);
    if (!stream) throw new Error(`The bot receives no stream ${consumerId}.`);
    return sdpFor(stream, { port });
  }

  /**
   * Records one received stream to `outputPath` with ffmpeg (the container from its extension, e.g. .ogg for
   * audio, .webm for video), stream-copied, until stop() or close().
   */
  async record(consumerId: string, outputPath: string): Promise<FfmpegRun> {
    const recorder = this.#recorder;
    const stream = this.#streams.get(consumerId);
    if (!recorder || !stream) throw new Error(`The bot receives no stream ${consumerId}: call receive() and wait for its "stream" event.`);
    const port = await freeUdpPort();
    const dir = await mkdtemp(join(tmpdir(), "qualmeet-bot-"));
    const sdpPath = join(dir, "stream.sdp");
    await writeFile(sdpPath, this.sdpFor(consumerId, port));
    const run = runFfmpeg(
      ["-hide_banner", "-loglevel", "error", "-nostdin", "-protocol_whitelist", "file,udp,rtp", "-i", sdpPath, "-c", "copy", "-y", outputPath],
      this.options.ffmpeg ?? ffmpegPath(),
    );
    recorder.forward(stream.ssrc, { ip: "127.0.0.1", port });
    this.#recordings.add(run);
    void run.exited
      .catch(() => undefined)
      .finally(() => {
        recorder.stopForwarding(stream.ssrc);
        this.#recordings.delete(run);
        void rm(dir, { recursive: true, force: true });
      });
    return run;
  }

  /** Leaves the meeting and stops everything the bot runs (ffmpeg, sockets). */
  async close(): Promise<void> {
    // removed, or the meeting ended: there is nothing left to leave
    if (this.#closed) return;
    const joined = this.#joined;
    await this.#shutDown("The bot left.");
    if (joined) await this.client.room.leave.mutate({ meetingId: joined.meeting.id, peerId: joined.self.peerId });
  }

  async #shutDown(reason: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#events?.unsubscribe();
    for (const recording of this.#recordings) recording.stop();
    await Promise.all([...this.#playbacks].map((playback) => playback.stop()));
    this.#recorder?.close();
    this.emit("ended", reason);
  }
}

/** A UDP port free on loopback now, for a recorder's ffmpeg to listen on. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind({ port: 0, address: "127.0.0.1" }, () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

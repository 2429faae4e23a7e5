// The 1:1 WebRTC call of a random-chat match: one RTCPeerConnection with the ICE servers (TURN credentials) of the
// match event and the page's ICE transport policy. The side the server chose (`youOffer`) offers; the other answers;
// offers, answers and candidates travel over random.signal. The local tracks are the preview's, awaited: a person
// may press Start before their camera is live, and the call then starts with the camera once it is. The TURN
// credentials are refreshed in the background before they expire (media/iceRefresh.ts, as a meeting's are), so a
// long call can still reconnect through TURN.
import { IceRefresh } from "../media/iceRefresh";
import type { IceServersGrant } from "../media/signaling";
import type { MatchedEvent, PeerSignal } from "./types";

export type CallState = "connecting" | "connected" | "failed";

export interface CallStats {
  connectionState: RTCPeerConnectionState;
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
  /** the last received audio level, 0-1 */
  audioLevel: number;
}

export interface CallOptions {
  match: MatchedEvent;
  iceTransportPolicy: RTCIceTransportPolicy;
  /** the preview once it has settled (null: no camera or microphone to send) */
  localMedia: () => Promise<MediaStream | null>;
  sendSignal: (signal: PeerSignal) => Promise<void>;
  /** fresh ICE servers for this match (random.iceServers) */
  fetchIceServers: () => Promise<IceServersGrant>;
  /** the server's notice that today's relay allowance is used up */
  notify: (text: string) => void;
  onRemoteStream: (stream: MediaStream) => void;
  onState: (state: CallState) => void;
}

const liveTrackOf = (stream: MediaStream | null, kind: string) => stream?.getTracks().find((t) => t.kind === kind && t.readyState === "live") ?? null;

export class RandomCall {
  readonly matchId: string;
  private readonly pc: RTCPeerConnection;
  private readonly remote = new MediaStream();
  /** signals are handled one after another, after the local tracks are in */
  private chain: Promise<void>;
  /** candidates that came before the partner's description */
  private early: RTCIceCandidateInit[] = [];
  private closed = false;
  private readonly local: Promise<MediaStream | null>;
  private readonly iceRefresh: IceRefresh;

  constructor(private readonly options: CallOptions) {
    const { match } = options;
    this.matchId = match.matchId;
    this.pc = new RTCPeerConnection({ iceServers: match.iceServers as RTCIceServer[], iceTransportPolicy: options.iceTransportPolicy });
    this.pc.addEventListener("icecandidate", ({ candidate }) => {
      if (candidate)
        this.send({
          candidate: { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex, usernameFragment: candidate.usernameFragment },
        });
    });
    this.pc.addEventListener("track", ({ track }) => {
      this.remote.addTrack(track);
      options.onRemoteStream(this.remote);
    });
    this.pc.addEventListener("connectionstatechange", () => {
      const state = this.pc.connectionState;
      if (state === "connected") options.onState("connected");
      else if (state === "failed") options.onState("failed");
    });
    options.onState("connecting");
    this.iceRefresh = new IceRefresh({
      fetch: options.fetchIceServers,
      apply: async (iceServers) => this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers }),
      notify: options.notify,
    });
    this.iceRefresh.start(match);
    this.local = options.localMedia();
    // the answerer's transceivers come with the offer: it adds its tracks to those (apply)
    this.chain = match.youOffer ? this.offer() : this.local.then(() => undefined);
    this.chain.catch((error: unknown) => this.fail("starting the call", error));
  }

  /** An offer, answer or candidate from the partner. */
  handle(signal: PeerSignal): void {
    this.chain = this.chain.then(() => this.apply(signal)).catch((error: unknown) => this.fail("applying the partner's signal", error));
  }

  close(): void {
    this.closed = true;
    this.iceRefresh.close();
    this.pc.close();
    for (const track of this.remote.getTracks()) track.stop();
  }

  /** What arrives from the partner (the e2e tests read it; so could a quality indicator). */
  async stats(): Promise<CallStats> {
    const result: CallStats = { connectionState: this.pc.connectionState, framesDecoded: 0, frameWidth: 0, audioPacketsReceived: 0, audioLevel: 0 };
    const report = await this.pc.getStats();
    report.forEach((entry: RTCStats & Record<string, unknown>) => {
      if (entry.type !== "inbound-rtp") return;
      if (entry.kind === "video") {
        result.framesDecoded += Number(entry.framesDecoded ?? 0);
        result.frameWidth = Math.max(result.frameWidth, Number(entry.frameWidth ?? 0));
      } else if (entry.kind === "audio") {
        result.audioPacketsReceived += Number(entry.packetsReceived ?? 0);
        result.audioLevel = Math.max(result.audioLevel, Number(entry.audioLevel ?? 0));
      }
    });
    return result;
  }

  /** The offer: the preview's live tracks, and a kind the person does not send is still received. */
  private async offer(): Promise<void> {
    const local = await this.local;
    if (this.closed) return;
    for (const kind of ["audio", "video"] as const) {
      const track = liveTrackOf(local, kind);
      if (track) this.pc.addTransceiver(track, { direction: "sendrecv", streams: [local!] });
      else this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.send({ description: { type: "offer", sdp: this.pc.localDescription!.sdp } });
  }

  private async apply(signal: PeerSignal): Promise<void> {
    if (this.closed) return;
    if (signal.description) {
      const { type, sdp } = signal.description;
      await this.pc.setRemoteDescription({ type, sdp });
      for (const candidate of this.early.splice(0)) await this.pc.addIceCandidate(candidate);
      if (type === "offer") {
        const local = await this.local;
        for (const transceiver of this.pc.getTransceivers()) {
          const track = liveTrackOf(local, transceiver.receiver.track.kind);
          if (!track) continue;
          transceiver.direction = "sendrecv";
          await transceiver.sender.replaceTrack(track);
          transceiver.sender.setStreams(local!);
        }
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        this.send({ description: { type: "answer", sdp: this.pc.localDescription!.sdp } });
      }
    } else if (signal.candidate) {
      const candidate: RTCIceCandidateInit = {
        candidate: signal.candidate.candidate,
        sdpMid: signal.candidate.sdpMid ?? null,
        sdpMLineIndex: signal.candidate.sdpMLineIndex ?? null,
        usernameFragment: signal.candidate.usernameFragment ?? null,
      };
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(candidate);
      else this.early.push(candidate);
    }
  }

  private send(signal: PeerSignal): void {
    if (this.closed) return;
    // a signal that cannot be sent (the match ended meanwhile, the socket dropped) leaves the call connecting;
    // the panel shows it and Next moves on
    this.options.sendSignal(signal).catch((error: unknown) => console.warn("[random] sending a signal failed", this.matchId, error));
  }

  private fail(what: string, error: unknown): void {
    if (this.closed) return;
    console.error(`[random] ${what} failed`, this.matchId, error);
    this.options.onState("failed");
  }
}

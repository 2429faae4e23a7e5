// The P2P mesh: one MeshPeer (one RTCPeerConnection at a time) per remote participant. Every peer heals the
// same way (peer.ts): an unhealthy connection is replaced and the other side follows the new connection id.
// The engine (sfuEngine.ts, the topology controller) decides when the mesh runs.
import type { MediaSource } from "@qualmeet/api";
import type { PeerStats } from "../engine";
import type { P2PSignal } from "../signaling";
import { MeshPeer, type MeshHost, type RemoteTracks } from "./peer";

export interface MeshConnectionInfo {
  connectionState: RTCPeerConnectionState;
  signalingState: RTCSignalingState;
  polite: boolean;
  /** ms from opening the peer to its first decoded remote video frame */
  firstFrameMs: number | null;
  /** how many times the connection was replaced to heal it */
  replacements: number;
}

export class Mesh {
  private readonly peers = new Map<string, MeshPeer>();
  private closed = false;

  constructor(
    private readonly host: MeshHost,
    private readonly tracks: RemoteTracks,
  ) {}

  /** Connects to a participant (the impolite side offers; the polite one waits for that offer, see peer.ts). */
  connect(peerId: string): void {
    this.open(peerId);
  }

  private open(peerId: string): MeshPeer | null {
    if (this.closed || peerId === this.host.selfPeerId) return null;
    let peer = this.peers.get(peerId);
    if (!peer) {
      peer = new MeshPeer(peerId, this.host, this.tracks);
      this.peers.set(peerId, peer);
    }
    return peer;
  }

  /** Whether there is a connection with this participant. */
  has(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  handleSignal(fromPeerId: string, signal: P2PSignal): void {
    this.open(fromPeerId)?.handleSignal(signal);
  }

  removePeer(peerId: string): void {
    this.peers.get(peerId)?.close();
    this.peers.delete(peerId);
    this.host.onHealthChange();
  }

  setTrack(source: MediaSource, track: MediaStreamTrack | null): void {
    for (const peer of this.peers.values()) peer.setTrack(source, track);
  }

  mute(source: MediaSource, track: MediaStreamTrack | null): void {
    for (const peer of this.peers.values()) peer.mute(source, track);
  }

  setIceServers(iceServers: RTCIceServer[]): void {
    for (const peer of this.peers.values()) peer.setIceServers(iceServers);
  }

  /**
   * Test hook: every connection starts an offer now (two sides calling it at once provoke glare). Resolves once
   * they are started: an offer's connection can be replaced meanwhile, and a closed RTCPeerConnection never
   * settles its pending setLocalDescription.
   */
  forceOffer(): Promise<void> {
    for (const peer of this.peers.values()) void peer.offer();
    return Promise.resolve();
  }

  troubled(): boolean {
    return [...this.peers.values()].some((p) => p.troubled);
  }

  /** Per remote participant: connection state, politeness, when the first frame came, replacements. */
  describe(): Record<string, MeshConnectionInfo> {
    const out: Record<string, MeshConnectionInfo> = {};
    for (const [id, p] of this.peers) {
      out[id] = {
        connectionState: p.pc.connectionState,
        signalingState: p.pc.signalingState,
        polite: p.polite,
        firstFrameMs: p.firstFrameAt ? p.firstFrameAt - p.createdAt : null,
        replacements: p.replacements,
      };
    }
    return out;
  }

  async stats(): Promise<Record<string, PeerStats>> {
    const out: Record<string, PeerStats> = {};
    for (const [id, peer] of this.peers) out[id] = await peer.stats();
    return out;
  }

  get size(): number {
    return this.peers.size;
  }

  close(): void {
    this.closed = true;
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    this.host.onHealthChange();
  }
}
